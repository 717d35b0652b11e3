/**
 * The notifier port: one message per finished workflow (an email through SNS on AWS). The SNS adapter
 * lives in src/aws/sns-publisher.ts; MemoryNotifier keeps what was sent for tests and local runs.
 */
export interface Notification {
  /** SNS limits an email subject to 100 characters; renderers keep within it. */
  subject: string;
  body: string;
  /** Becomes SNS message attributes, so subscriptions can filter on outcome. */
  attributes: Record<string, string>;
}

export interface Notifier {
  notify(notification: Notification): Promise<void>;
}

export class MemoryNotifier implements Notifier {
  readonly sent: Notification[] = [];

  async notify(notification: Notification): Promise<void> {
    this.sent.push(structuredClone(notification));
  }
}
