import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { API_PORT, apiEnvironment, httpHealthCommand, WORKER_HEALTH_PORT, workerEnvironment } from './app-environment';
import { APP_METRIC_NAMESPACE } from './app-roles';
import { type RedisCluster } from './redis.construct';
import { type DreamqueueSettings } from './settings';

export interface ServicesProps {
  vpc: ec2.IVpc;
  settings: DreamqueueSettings;
  bucketName: string;
  redis: RedisCluster;
  apiRole: iam.IRole;
  workerRole: iam.IRole;
  /** The training completion topics: the API's public receiver accepts only their signed messages. */
  snsTopicArns: string[];
}

/**
 * Bull Board (/admin/queues), /v1/admin and /metrics: hidden on the public listener unless the caller's IP is
 * allowed. ALB path patterns match case-sensitively, and so does the API's routing.
 */
const ADMIN_PATHS = ['/admin*', '/v1/admin*', '/metrics'];

/**
 * api (behind a public ALB) and worker on Fargate, one image, two commands. Fargate tasks have no EC2
 * instance metadata service; if these ever move to EC2 capacity, require IMDSv2 with a hop limit of 1 in
 * the launch template so containers cannot reach the instance role.
 */
export class Services extends Construct {
  readonly api: ecsPatterns.ApplicationLoadBalancedFargateService;
  readonly worker: ecs.FargateService;
  readonly workerScaling: ecs.ScalableTaskCount;

  constructor(scope: Construct, id: string, props: ServicesProps) {
    super(scope, id);
    const { settings } = props;
    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const image = settings.appImage
      ? ecs.ContainerImage.fromRegistry(settings.appImage)
      : // Built from the repository's Dockerfile at deploy time (synth only stages the context, honouring .dockerignore).
        ecs.ContainerImage.fromAsset(path.resolve(__dirname, '../..'), { target: 'runtime' });
    // /metrics (api, and the worker's health port) answers only with this bearer token; Prometheus reads it too.
    const metricsToken = new secretsmanager.Secret(this, 'MetricsToken', {
      description: 'dreamqueue: bearer token for /metrics',
      generateSecretString: { passwordLength: 40, excludePunctuation: true },
    });
    const secrets = {
      REDIS_URL: ecs.Secret.fromSecretsManager(props.redis.urlSecret),
      METRICS_TOKEN: ecs.Secret.fromSecretsManager(metricsToken),
    };
    const logging = (streamPrefix: string) =>
      ecs.LogDrivers.awsLogs({ streamPrefix, logRetention: logs.RetentionDays.ONE_MONTH });

    this.api = new ecsPatterns.ApplicationLoadBalancedFargateService(this, 'Api', {
      cluster,
      cpu: 1024,
      memoryLimitMiB: 2048,
      desiredCount: settings.apiTasks,
      publicLoadBalancer: true,
      certificate: settings.certificateArn
        ? acm.Certificate.fromCertificateArn(this, 'Certificate', settings.certificateArn)
        : undefined,
      redirectHTTP: settings.certificateArn !== undefined,
      circuitBreaker: { rollback: true },
      minHealthyPercent: 100,
      taskImageOptions: {
        image,
        containerName: 'api',
        containerPort: API_PORT,
        command: ['node', 'apps/api/dist/main.js'],
        environment: apiEnvironment(settings, props.bucketName, props.snsTopicArns),
        secrets,
        taskRole: props.apiRole,
        logDriver: logging('api'),
      },
    });
    this.api.targetGroup.configureHealthCheck({
      path: '/healthz',
      healthyHttpCodes: '200',
      interval: Duration.seconds(15),
    });
    // Uploads of 15 photos can take a while on mobile links; the API's own REQUEST_TIMEOUT is 120 s.
    this.api.loadBalancer.setAttribute('idle_timeout.timeout_seconds', '130');
    this.restrictAdmin(settings.adminAllowCidrs);
    props.redis.allowFrom(this.api.service.connections.securityGroups[0]!, 'dreamqueue api');

    const workerTask = new ecs.FargateTaskDefinition(this, 'WorkerTask', {
      cpu: 1024,
      memoryLimitMiB: 2048,
      taskRole: props.workerRole,
    });
    workerTask.addContainer('worker', {
      image,
      command: ['node', 'apps/worker/dist/main.js'],
      environment: workerEnvironment(settings, props.bucketName),
      secrets,
      logging: logging('worker'),
      healthCheck: {
        command: httpHealthCommand(WORKER_HEALTH_PORT),
        interval: Duration.seconds(15),
        startPeriod: Duration.seconds(30),
        retries: 3,
      },
      // SIGTERM → worker.close() lets active jobs finish; Fargate allows at most 120 s before SIGKILL.
      // A job cut off later is taken over by another worker when its lock expires (no work lost).
      stopTimeout: Duration.seconds(120),
    });
    this.worker = new ecs.FargateService(this, 'Worker', {
      cluster,
      taskDefinition: workerTask,
      desiredCount: settings.workerMinTasks,
      circuitBreaker: { rollback: true },
      minHealthyPercent: 100,
    });
    props.redis.allowFrom(this.worker.connections.securityGroups[0]!, 'dreamqueue worker');
    this.workerScaling = this.scaleWorkersOnQueueDepth(settings);
  }

  /**
   * Step scaling on `Dreamqueue/WaitingJobs{Queue=generate}`, which the worker publishes every minute
   * (waiting + prioritized jobs). Trainings do not appear here: a waiting training is a delayed job that
   * holds no worker slot, so it costs no capacity.
   */
  private scaleWorkersOnQueueDepth(settings: DreamqueueSettings): ecs.ScalableTaskCount {
    const scaling = this.worker.autoScaleTaskCount({
      minCapacity: settings.workerMinTasks,
      maxCapacity: settings.workerMaxTasks,
    });
    const waiting = new cloudwatch.Metric({
      namespace: APP_METRIC_NAMESPACE,
      metricName: 'WaitingJobs',
      dimensionsMap: { Queue: 'generate' },
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });
    scaling.scaleOnMetric('QueueDepth', {
      metric: waiting,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      // Between 20 and 200 waiting jobs the fleet holds steady; GPU capacity, not workers, is usually the limit.
      scalingSteps: [
        { upper: 20, change: -1 },
        { lower: 200, change: +1 },
        { lower: 2_000, change: +3 },
      ],
      cooldown: Duration.minutes(3),
      evaluationPeriods: 2,
    });
    return scaling;
  }

  private restrictAdmin(allowCidrs: string[]): void {
    const listener = this.api.listener;
    if (allowCidrs.length > 0) {
      listener.addAction('AdminFromAllowedCidrs', {
        priority: 1,
        conditions: [elbv2.ListenerCondition.pathPatterns(ADMIN_PATHS), elbv2.ListenerCondition.sourceIps(allowCidrs)],
        action: elbv2.ListenerAction.forward([this.api.targetGroup]),
      });
    }
    listener.addAction('AdminHidden', {
      priority: 2,
      conditions: [elbv2.ListenerCondition.pathPatterns(ADMIN_PATHS)],
      action: elbv2.ListenerAction.fixedResponse(404, {
        contentType: 'application/json',
        messageBody: JSON.stringify({ error: { code: 'not_found', message: 'Not found' } }),
      }),
    });
  }
}
