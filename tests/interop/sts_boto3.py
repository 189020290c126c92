"""boto3 against `iamsim serve`, configured only by the variables it printed.

Run by tests/it/interop.rs with the environment of a running `iamsim serve` (the built-in seed
world). Prints one line per check and exits non-zero on the first failure.
"""
import sys

import boto3
from botocore.exceptions import ClientError

sts = boto3.client("sts")

me = sts.get_caller_identity()
assert me["Arn"] == "arn:aws:iam::111111111111:user/developer", me
assert me["Account"] == "111111111111", me
print("get_caller_identity ok")

out = sts.assume_role(RoleArn="arn:aws:iam::111111111111:role/reader", RoleSessionName="boto3")
assert out["AssumedRoleUser"]["Arn"] == "arn:aws:sts::111111111111:assumed-role/reader/boto3", out
creds = out["Credentials"]
session = boto3.client(
    "sts",
    aws_access_key_id=creds["AccessKeyId"],
    aws_secret_access_key=creds["SecretAccessKey"],
    aws_session_token=creds["SessionToken"],
)
assert session.get_caller_identity()["Arn"] == "arn:aws:sts::111111111111:assumed-role/reader/boto3"
print("assume_role ok")

try:
    sts.assume_role(RoleArn="arn:aws:iam::111111111111:role/nope", RoleSessionName="boto3")
    sys.exit("assume_role of a missing role succeeded")
except ClientError as e:
    assert e.response["Error"]["Code"] == "AccessDenied", e.response
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 403, e.response
print("access denied ok")

import os
wrong = boto3.client("sts", aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"], aws_secret_access_key="x" * 40)
try:
    wrong.get_caller_identity()
    sys.exit("a wrong secret was accepted")
except ClientError as e:
    assert e.response["Error"]["Code"] == "SignatureDoesNotMatch", e.response
print("signature checked ok")
