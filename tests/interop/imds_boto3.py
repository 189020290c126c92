"""boto3 on an "EC2 instance" served by `iamsim serve --instance web-1`: no keys at all, only the
endpoints; boto3's own credential chain finds the instance metadata service (IMDSv2, token
first) at `AWS_EC2_METADATA_SERVICE_ENDPOINT`.

Run by tests/it/interop.rs with `iamsim serve --fixture examples/fixtures/ec2-s3access.yaml
--as arn:aws:iam::111111111111:role/s3access --instance web-1`, the printed keys removed from the
environment. The seed scenario: the instance role reads `app-data` and may not delete from it.
Prints one line per check and exits non-zero on the first failure.
"""
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

assert "AWS_ACCESS_KEY_ID" not in os.environ, "the test must remove the printed keys"

session = boto3.Session()
credentials = session.get_credentials()
assert credentials.method == "iam-role", credentials.method
assert credentials.access_key.startswith("ASIA"), credentials.access_key
print("credentials from imds ok")

me = session.client("sts").get_caller_identity()
assert me["Arn"].startswith("arn:aws:sts::111111111111:assumed-role/s3access/i-"), me
print("get_caller_identity ok")

s3 = session.client("s3", config=Config(s3={"addressing_style": "path"}))
body = s3.get_object(Bucket="app-data", Key="report.csv")["Body"].read()
assert body == b"day,visits\nmon,12\n", body
assert [o["Key"] for o in s3.list_objects_v2(Bucket="app-data")["Contents"]] == ["report.csv"]
print("read app-data ok")

try:
    s3.delete_object(Bucket="app-data", Key="report.csv")
    sys.exit("the instance role deleted an object")
except ClientError as e:
    assert e.response["Error"]["Code"] == "AccessDenied", e.response
    assert "because no identity-based policy allows the s3:DeleteObject action" in e.response["Error"]["Message"], e.response
print("delete denied ok")
