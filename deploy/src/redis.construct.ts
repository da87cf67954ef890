import { Fn, SecretValue, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface RedisProps {
  vpc: ec2.IVpc;
  nodeType: string;
}

const REDIS_PORT = 6379;

/**
 * ElastiCache (Redis OSS 7.1) for BullMQ: one primary + one replica in two AZs, automatic failover, TLS in
 * transit, AUTH from Secrets Manager, and `maxmemory-policy noeviction` (an evicted lock or job hash
 * silently loses work; the worker's start-up check refuses any other policy).
 *
 * AOF: ElastiCache does not offer `appendonly` for Redis 2.8.22 and later, so the parameter cannot be set
 * on the redis7 family. Durability comes from the Multi-AZ replica with automatic failover instead; a
 * failover can lose the last writes that had not reached the replica (asynchronous replication). Where that
 * window matters, use Amazon MemoryDB (multi-AZ transaction log) with the same parameters.
 * Cluster mode stays disabled: BullMQ works on a cluster only because every key shares the `{dq}` hash
 * tag, which would put all of it on one shard anyway.
 */
export class RedisCluster extends Construct {
  readonly securityGroup: ec2.SecurityGroup;
  readonly replicationGroup: elasticache.CfnReplicationGroup;
  /** Holds `rediss://:<token>@<primary>:6379`, injected into the containers as REDIS_URL. */
  readonly urlSecret: secretsmanager.Secret;
  readonly authSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: RedisProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'dreamqueue Redis',
      allowAllOutbound: false,
    });

    this.authSecret = new secretsmanager.Secret(this, 'AuthToken', {
      description: 'dreamqueue Redis AUTH token',
      // AUTH tokens: 16-128 printable characters without @, " or /; letters and digits only keep URLs simple.
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'token',
        excludePunctuation: true,
        passwordLength: 64,
      },
    });

    const subnets = new elasticache.CfnSubnetGroup(this, 'Subnets', {
      description: 'dreamqueue Redis subnets',
      subnetIds: props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds,
    });

    const parameters = new elasticache.CfnParameterGroup(this, 'Parameters', {
      cacheParameterGroupFamily: 'redis7',
      description: 'dreamqueue: never evict (BullMQ keys must not disappear)',
      properties: { 'maxmemory-policy': 'noeviction' },
    });

    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupDescription: 'dreamqueue queues and resource state',
      engine: 'redis',
      engineVersion: '7.1',
      cacheNodeType: props.nodeType,
      numCacheClusters: 2,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      atRestEncryptionEnabled: true,
      authToken: this.authSecret.secretValueFromJson('token').unsafeUnwrap(),
      cacheParameterGroupName: parameters.ref,
      cacheSubnetGroupName: subnets.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      port: REDIS_PORT,
      snapshotRetentionLimit: 7,
    });

    // The apps take one REDIS_URL; CloudFormation resolves the dynamic reference inside the join at deploy
    // time, so the token never appears in the template.
    const url = Fn.join('', [
      'rediss://:',
      this.authSecret.secretValueFromJson('token').unsafeUnwrap(),
      '@',
      this.replicationGroup.attrPrimaryEndPointAddress,
      ':',
      Token.asString(this.replicationGroup.attrPrimaryEndPointPort),
    ]);
    this.urlSecret = new secretsmanager.Secret(this, 'Url', {
      description: 'dreamqueue REDIS_URL (rediss://, AUTH token included)',
      secretStringValue: SecretValue.unsafePlainText(url),
    });
  }

  /** Lets a service's security group reach Redis (and only Redis's port). */
  allowFrom(peer: ec2.ISecurityGroup, description: string): void {
    this.securityGroup.addIngressRule(peer, ec2.Port.tcp(REDIS_PORT), description);
  }
}
