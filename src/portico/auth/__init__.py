"""Authorization cores of the data plane: Lambda authorizers, IAM policy evaluation, result caches."""
