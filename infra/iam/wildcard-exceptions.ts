/**
 * The only actions this stack grants on `Resource: "*"`, each with the reason. test/infra/iam.test.ts
 * fails on any other `"*"` resource, and on any `Action: "*"` or service-wide action wildcard.
 */
export const RESOURCE_WILDCARD_EXCEPTIONS: Readonly<Record<string, string>> = Object.freeze({
  'cloudwatch:GetMetricData': 'GetMetricData has no resource-level permissions (Service Authorization Reference: no resource types).',
  'ecs:DescribeTaskDefinition': 'DescribeTaskDefinition has no resource-level permissions.',
  'ecs:ListClusters': 'ListClusters has no resource-level permissions.',
  'ecs:ListTasks':
    "ListTasks' only resource type is container-instance, which Fargate tasks do not have; the statement is narrowed with the ecs:cluster condition key instead.",
  'scheduler:ListSchedules': 'ListSchedules has no resource-level permissions.',
  'scheduler:ListScheduleGroups': 'ListScheduleGroups has no resource-level permissions.',
  'sts:GetCallerIdentity': 'GetCallerIdentity needs no permission and has no resource; it is granted only because the remediation declares it.',
  'ecr:GetAuthorizationToken': 'GetAuthorizationToken returns a registry-wide token and has no resource-level permissions.',
  // Org-wide checks with `org.discover` only (iam/org-access-policy.ts).
  'organizations:ListAccounts': 'ListAccounts has no resource-level permissions; it lists the account ids org-wide checks assume into.',
  'organizations:ListAccountsForParent':
    'The roots and OUs it is called on are discovered at run time (the configured ous and their children), and their ARNs need the organization id; it returns account metadata only.',
  // Member roles (iam/org-access-policy.ts): `ops check-schedulers --all-regions` asks each account.
  'ec2:DescribeRegions': 'DescribeRegions has no resource-level permissions; it lists the regions the account has enabled.',
  'organizations:ListOrganizationalUnitsForParent':
    'It walks the child OUs of the configured ous, discovered at run time, whose ARNs need the organization id; it returns OU metadata only.',
});

export function isWildcardException(action: string): boolean {
  return Object.hasOwn(RESOURCE_WILDCARD_EXCEPTIONS, action);
}
