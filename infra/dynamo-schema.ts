/**
 * Maps the CreateTable schemas the adapters declare (src/aws/*-store.ts) onto aws.dynamodb.Table
 * arguments, so the deployed tables have exactly the keys and indexes the code reads and writes.
 */
import type * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

interface KeyElement {
  AttributeName: string;
  KeyType: string;
}

export interface DeclaredTableSchema {
  AttributeDefinitions: readonly { AttributeName: string; AttributeType: string }[];
  KeySchema: readonly KeyElement[];
  GlobalSecondaryIndexes?: readonly { IndexName: string; KeySchema: readonly KeyElement[]; Projection: { ProjectionType?: string; NonKeyAttributes?: readonly string[] } }[];
  BillingMode: string;
}

export type TableKeyArgs = Required<Pick<aws.dynamodb.TableArgs, 'attributes' | 'hashKey' | 'billingMode'>> &
  Pick<aws.dynamodb.TableArgs, 'rangeKey' | 'globalSecondaryIndexes'>;

function keyNamed(keys: readonly KeyElement[], type: 'HASH' | 'RANGE'): string | undefined {
  return keys.find((key) => key.KeyType === type)?.AttributeName;
}

export function tableKeyArgs(schema: DeclaredTableSchema): TableKeyArgs {
  const hashKey = keyNamed(schema.KeySchema, 'HASH');
  const rangeKey = keyNamed(schema.KeySchema, 'RANGE');
  if (hashKey === undefined) throw new Error('Table schema has no HASH key');
  const indexes = schema.GlobalSecondaryIndexes ?? [];
  return {
    attributes: schema.AttributeDefinitions.map((attribute) => ({ name: attribute.AttributeName, type: attribute.AttributeType })),
    hashKey,
    ...(rangeKey !== undefined ? { rangeKey } : {}),
    billingMode: schema.BillingMode,
    ...(indexes.length > 0
      ? {
          globalSecondaryIndexes: indexes.map((index) => ({
            name: index.IndexName,
            keySchemas: index.KeySchema.map((key) => ({ attributeName: key.AttributeName, keyType: key.KeyType })),
            projectionType: index.Projection.ProjectionType ?? 'ALL',
            ...(index.Projection.NonKeyAttributes !== undefined ? { nonKeyAttributes: [...index.Projection.NonKeyAttributes] } : {}),
          })),
        }
      : {}),
  };
}

/** The ARNs a Query on the table's indexes needs: `<table arn>/index/<name>`. */
export function indexArns(tableArn: pulumi.Input<string>, schema: DeclaredTableSchema): pulumi.Output<string>[] {
  return (schema.GlobalSecondaryIndexes ?? []).map((index) => pulumi.interpolate`${tableArn}/index/${index.IndexName}`);
}
