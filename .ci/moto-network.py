"""Prints `subnet=<id> security_group=<id>` for moto's default VPC, so the suite's
RunTask calls name network resources that exist on that moto server.
Usage: python moto-network.py http://127.0.0.1:PORT REGION"""
import sys

import boto3

endpoint, region = sys.argv[1], sys.argv[2]
ec2 = boto3.client(
    "ec2",
    endpoint_url=endpoint,
    region_name=region,
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)
subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
group = ec2.describe_security_groups(GroupNames=["default"])["SecurityGroups"][0]["GroupId"]
print(f"subnet={subnet} security_group={group}")
