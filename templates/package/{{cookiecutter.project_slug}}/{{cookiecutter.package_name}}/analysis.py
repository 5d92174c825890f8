"""Post-processing of measured counts."""


def parity(counts):
    """<Z...Z>: +1 for bitstrings with an even number of ones, -1 for odd, averaged."""
    total = sum(counts.values())
    signed = sum((-1) ** bits.count("1") * n for bits, n in counts.items())
    return signed / total
