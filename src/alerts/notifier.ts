/** Where alert emails go: a port, so the alert policy and the healthcheck never import the SNS adapter. */
export interface EmailMessage {
  subject: string;
  body: string;
}

export interface Notifier {
  /** Where messages go (the topic ARN), for logs. */
  readonly destination: string;
  publish(message: EmailMessage): Promise<{ messageId: string }>;
}
