"""AWS pieces of the `iam` auth mode: credentials, region/service, SigV4 signing.

Nothing here is imported until an iam call is built; boto3 only when the fast path
(credentials in the environment) does not apply.
"""
