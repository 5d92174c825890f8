"""The service's core: its state (the store, blobs, tokens, instances, sessions), its work
(admission, the fair queue, the scheduler, retention) and what they share (backends,
environments, streams, events).  No HTTP here: the routes (``service.http``) call it."""
