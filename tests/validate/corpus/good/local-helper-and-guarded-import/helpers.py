def angles():
    return [0.1]
