/**
 * The alert topic: CloudWatch alarms and the healthcheck's emails both publish here, and every
 * address in config `alertEmails` is subscribed (each must confirm the email AWS sends it). The
 * default topic policy already lets this account's CloudWatch alarms publish; no resource policy and
 * no KMS key (an encrypted topic would need a key policy for CloudWatch too).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface AlertingArgs {
  namePrefix: string;
  alertEmails: readonly string[];
}

export class Alerting extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly topicArn: pulumi.Output<string>;

  constructor(name: string, args: AlertingArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ops:monitoring:Alerting', name, {}, opts);
    const parent = { parent: this };
    this.topic = new aws.sns.Topic(`${name}-topic`, { name: `${args.namePrefix}-alerts`, displayName: `${args.namePrefix} alerts` }, parent);
    if (args.alertEmails.length === 0) {
      void pulumi.log.warn('config alertEmails is empty: alarms and healthcheck alerts reach nobody', this);
    }
    // Named by address, not position: removing one address must not re-create (and unconfirm) the others.
    for (const email of new Set(args.alertEmails)) {
      new aws.sns.TopicSubscription(`${name}-email-${email}`, { topic: this.topic.arn, protocol: 'email', endpoint: email }, parent);
    }
    this.topicArn = this.topic.arn;
    this.registerOutputs({ topicArn: this.topicArn });
  }
}
