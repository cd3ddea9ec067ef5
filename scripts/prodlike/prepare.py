"""What scripts/prodlike.sh needs from the shared services before the site starts.

    prepare.py SITE_URL

The bucket S3_BUCKET (idempotent; S3Proxy's CORS rule is server-wide, see
scripts/s3proxy), and SITE_URL's callback among the
redirect URIs of the test realm's web client (added through Keycloak's admin
API; gone when Keycloak restarts from its seed, so every `up` adds it again).
"""

import os
import sys

import boto3
from botocore.exceptions import ClientError
from keycloak import KeycloakAdmin


def bucket(site):
    s3 = boto3.client(
        "s3",
        endpoint_url=os.environ["S3_ENDPOINT_URL"],
        aws_access_key_id=os.environ["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["S3_SECRET_ACCESS_KEY"],
        region_name=os.environ.get("S3_REGION", "us-east-1"),
    )
    name = os.environ["S3_BUCKET"]
    try:
        s3.create_bucket(Bucket=name)
    except ClientError as error:
        if error.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise


def redirect_uri(site):
    admin = KeycloakAdmin(
        server_url=os.environ["KEYCLOAK_SERVER_URL"],
        username=os.environ.get("KEYCLOAK_ADMIN_USER", "admin"),
        password=os.environ.get("KEYCLOAK_ADMIN_PASSWORD", "admin"),
        realm_name=os.environ["KEYCLOAK_REALM"],
        user_realm_name="master",
    )
    client_id = admin.get_client_id(os.environ["KEYCLOAK_CLIENT_ID"])
    client = admin.get_client(client_id)
    wanted = f"{site}/*"
    if wanted not in client["redirectUris"]:
        admin.update_client(client_id, {"redirectUris": [*client["redirectUris"], wanted]})


if __name__ == "__main__":
    bucket(sys.argv[1])
    redirect_uri(sys.argv[1])
