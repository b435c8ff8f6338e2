"""Cognito for restcli: user-pool sign-in and tokens, the token cache, identity pools.

Nothing here is imported unless a Cognito profile is used. A call whose tokens are cached
reads one JSON file and imports neither boto3, botocore nor pycognito: the user-pool and
identity-pool APIs are unsigned JSON calls made with requests (awsjson.py), and only the
SRP sign-in imports pycognito, for its SRP arithmetic.

  endpoints.py  AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>, as the AWS SDKs resolve them
  awsjson.py    one unsigned AWS JSON-1.1 call (X-Amz-Target) and its error shape
  claims.py     reading a JWT's claims (for expiry and display; never for trust)
  userpool.py   InitiateAuth, RespondToAuthChallenge, refresh, GlobalSignOut, RevokeToken
  signin.py     the sign-in conversation: SRP or password, then the challenges
  oauth.py      the client_credentials grant at a user-pool domain's /oauth2/token
  cache.py      the token cache: 0700 directory, 0600 files, atomic writes, file locks
  account.py    one profile's tokens: cached, refreshed under the lock, fetched, removed
  keys.py       the profile keys a user pool needs (the cognito mode and identity pools)
  identity.py   identity-pool credentials for iam profiles (GetId, GetCredentialsForIdentity)
"""
