#!/bin/sh
# The seed's instance-metadata script, as run on an instance: an IMDSv2 token first, then the
# role's name and its credentials, with curl. Run by tests/it/interop.rs against the metadata
# service `iamsim serve --instance web-1` prints (AWS_EC2_METADATA_SERVICE_ENDPOINT).
set -eu
imds="${AWS_EC2_METADATA_SERVICE_ENDPOINT%/}"
token=$(curl -sf -X PUT "$imds/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")
role=$(curl -sf -H "X-aws-ec2-metadata-token: $token" "$imds/latest/meta-data/iam/security-credentials/")
echo "role: $role"
curl -sf -H "X-aws-ec2-metadata-token: $token" "$imds/latest/meta-data/iam/security-credentials/$role"
echo
# Without a token: IMDSv1, answered on an instance that keeps AWS's default (`http_tokens: optional`).
curl -s -o /dev/null -w "without a token: %{http_code}\n" "$imds/latest/meta-data/iam/security-credentials/"
