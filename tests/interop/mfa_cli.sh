#!/bin/sh
# The seed's MFA-protected assume-role script with the AWS CLI against `iamsim serve --fixture
# tests/fixtures/interop/mfa.yaml` (alice's keys in the environment). The code is what
# `oathtool --totp -b JBSWY3DPEHPK3PXP` prints, computed with Python's standard library.
set -eu
role=arn:aws:iam::111111111111:role/admin
serial=arn:aws:iam::111111111111:mfa/alice
code=$(python -c '
import base64, hashlib, hmac, struct, sys, time
key = base64.b32decode(sys.argv[1])
mac = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
o = mac[-1] & 15
print("%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000))
' JBSWY3DPEHPK3PXP)

# Without MFA the trust policy's aws:MultiFactorAuthPresent condition refuses.
if aws sts assume-role --role-arn "$role" --role-session-name admin >/dev/null 2>err.txt; then
    echo "assumed without MFA"; exit 1
fi
grep -q "An error occurred (AccessDenied) when calling the AssumeRole operation" err.txt
echo "without mfa: AccessDenied"

if aws sts assume-role --role-arn "$role" --role-session-name admin \
    --serial-number "$serial" --token-code 000000 >/dev/null 2>err.txt; then
    echo "a wrong code was accepted"; exit 1
fi
echo "wrong code: $(grep -o 'An error occurred ([A-Za-z]*)' err.txt)"

creds=$(aws sts assume-role --role-arn "$role" --role-session-name admin \
    --serial-number "$serial" --token-code "$code" \
    --query "Credentials.[AccessKeyId,SecretAccessKey,SessionToken]" --output text)
AWS_ACCESS_KEY_ID=$(echo "$creds" | cut -f1)
AWS_SECRET_ACCESS_KEY=$(echo "$creds" | cut -f2)
AWS_SESSION_TOKEN=$(echo "$creds" | cut -f3)
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
echo "with mfa: $(aws sts get-caller-identity --query Arn --output text)"

