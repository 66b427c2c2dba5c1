/**
 * SMTP servers bound as named connections (kind `smtp`): alert e-mails go
 * through the one an alert rule names, in the rule's environment. Sending is
 * nodemailer's; the password is a `{{secret:…}}` of the connection.
 */
import nodemailer from 'nodemailer';

export interface SmtpBinding {
  kind: 'smtp';
  host: string;
  /** Default 587 (465 when `secure`). */
  port?: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure?: boolean;
  username?: string;
  password?: string;
  /** The sender address. */
  from: string;
  secretValues?: string[];
}

export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
}

const ADDRESS = /^[^\s@<>,]+@[^\s@<>,]+$/;

/** Whether `text` is one e-mail address. */
export const isMailAddress = (text: string) => ADDRESS.test(text.trim());

/** What is wrong with an smtp binding, or null. */
export function smtpBindingProblem(name: string, b: Record<string, unknown>): string | null {
  if (typeof b.host !== 'string' || b.host.trim() === '') return `connection '${name}' is an smtp connection: it needs a host`;
  if (b.port !== undefined && !(Number.isInteger(b.port) && (b.port as number) >= 1 && (b.port as number) <= 65_535)) return `connection '${name}': port must be a whole number 1–65535`;
  if (b.secure !== undefined && typeof b.secure !== 'boolean') return `connection '${name}': secure must be true or false`;
  if (typeof b.from !== 'string' || !isMailAddress(b.from)) return `connection '${name}' needs a from address (name@example.com)`;
  if (b.password !== undefined && typeof b.username !== 'string') return `connection '${name}': a password needs a username`;
  return null;
}

function transportOf(b: SmtpBinding) {
  return nodemailer.createTransport({
    host: b.host, port: b.port ?? (b.secure ? 465 : 587), secure: b.secure ?? false,
    ...(b.username ? { auth: { user: b.username, pass: b.password ?? '' } } : {}),
    connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000,
  });
}

/** Sends one message; answers the server's response line (e.g. `250 OK`). Throws what the server said. */
export async function sendMail(b: SmtpBinding, message: MailMessage): Promise<string> {
  const transport = transportOf(b);
  try {
    const info = await transport.sendMail({ from: b.from, to: message.to, subject: message.subject, text: message.text });
    return String(info.response ?? 'accepted');
  } finally {
    transport.close();
  }
}

/** "Test connection": the server greets, and accepts the credentials when there are some. */
export async function probeSmtp(b: SmtpBinding): Promise<string> {
  const transport = transportOf(b);
  try {
    await transport.verify();
    return `The SMTP server ${b.host} accepted the connection${b.username ? ' and the credentials' : ''}.`;
  } finally {
    transport.close();
  }
}
