"""boto3 against `iamsim serve` for S3, configured only by the variables it printed.

Run by tests/it/interop.rs with the environment of `iamsim serve --fixture tests/fixtures/s3.yaml
--as arn:aws:iam::111111111111:user/alice`: alice may list her account's buckets and do anything
to `photos`, nothing to `public-site`'s objects but read them. Prints one line per check and
exits non-zero on the first failure.
"""
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

s3 = boto3.client("s3", config=Config(s3={"addressing_style": "path"}))

names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
assert names == ["photos", "public-site", "tagged"], names
print("list_buckets ok")

put = s3.put_object(Bucket="photos", Key="boto3/hello world.txt", Body=b"hello from boto3", ContentType="text/plain")
assert put["ETag"].startswith('"'), put
got = s3.get_object(Bucket="photos", Key="boto3/hello world.txt")
assert got["Body"].read() == b"hello from boto3", got
assert got["ContentType"] == "text/plain", got
assert got["ETag"] == put["ETag"], (got["ETag"], put["ETag"])
listed = s3.list_objects_v2(Bucket="photos", Prefix="boto3/")
assert [o["Key"] for o in listed["Contents"]] == ["boto3/hello world.txt"], listed
print("put_object get_object ok")

try:
    s3.put_object(Bucket="public-site", Key="defaced.html", Body=b"<h1>pwned</h1>")
    sys.exit("a put to public-site was allowed")
except ClientError as e:
    assert e.response["Error"]["Code"] == "AccessDenied", e.response
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 403, e.response
    assert e.response["Error"]["Message"].startswith(
        "User: arn:aws:iam::111111111111:user/alice is not authorized to perform: s3:PutObject"
    ), e.response
print("access denied ok")

try:
    s3.get_object(Bucket="photos", Key="no/such/key")
    sys.exit("a missing key was found")
except ClientError as e:
    assert e.response["Error"]["Code"] == "NoSuchKey", e.response
print("no such key ok")

wrong = boto3.client(
    "s3",
    aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
    aws_secret_access_key="x" * 40,
    config=Config(s3={"addressing_style": "path"}),
)
try:
    wrong.list_buckets()
    sys.exit("a wrong secret was accepted")
except ClientError as e:
    assert e.response["Error"]["Code"] == "SignatureDoesNotMatch", e.response
print("signature checked ok")
