/**
 * Every setting the runtime reads from the environment, parsed once at start
 * by one zod schema. The composition root (runtime/cli.ts, for `serve`,
 * `worker` and every command) parses the process environment and passes the
 * result down; nothing else reads the environment. A bad value stops the process (exit 2) naming the variable
 * and what is allowed; the README's settings table is `settingsTable()`.
 */
import { z } from 'zod';
import { parseEnvironments, type EnvironmentConfig } from './promotion/environments.ts';
import { PROMOTION_ORDERS, type PromotionOrder } from './promotion/rules.ts';
import { parseSecretKey } from './secrets/secret-box.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.string().trim().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(min).max(max));
const positiveNumber = (max: number) =>
  z.string().trim().regex(/^\d+(\.\d+)?$/).transform(Number).pipe(z.number().gt(0).max(max));
const flag = z.string().trim().toLowerCase().pipe(z.enum(['0', '1', 'true', 'false'])).transform((v) => v === '1' || v === 'true');
const text = z.string().min(1);
const httpUrl = z.url({ protocol: /^https?$/ });
/** Throws inside the schema so the message names what is wrong with the value. */
const checked = <T>(parse: (value: string) => T) => z.string().transform((value, ctx) => {
  try {
    return parse(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** The schema of the environment: one entry per variable (values are strings; '' counts as unset). */
export const settingsSchema = z.object({
  PORT: wholeNumber(0, 65_535),
  HOST: text,
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  LEDGERFLOW_DB_SCHEMA: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/).optional(),
  LEDGERFLOW_DATA: text,
  LEDGERFLOW_SECRET_KEY: checked((v) => parseSecretKey(v) && v).optional(),
  LEDGERFLOW_ENVIRONMENTS: checked(parseEnvironments).optional(),
  LEDGERFLOW_PROMOTION_ORDER: z.enum(PROMOTION_ORDERS),
  LEDGERFLOW_BODY_LIMIT: wholeNumber(1024),
  LEDGERFLOW_SESSION_HOURS: positiveNumber(24 * 366),
  LEDGERFLOW_WORKER: flag,
  LEDGERFLOW_EXAMPLES: flag,
  LEDGERFLOW_EXAMPLES_DIR: text,
  LEDGERFLOW_OUT: text.optional(),
  LEDGERFLOW_CONNECTIONS: text.optional(),
  LEDGERFLOW_ADMIN_PASSWORD: z.string().min(8).max(1024).optional(),
  LEDGERFLOW_USER_PASSWORD: z.string().min(8).max(1024).optional(),
  LEDGERFLOW_SNAPSHOT_DAYS: wholeNumber(1),
  LEDGERFLOW_LINEAGE_DAYS: wholeNumber(1),
  LEDGERFLOW_HTTP_CLIENT: z.enum(['keep-alive', 'fetch']),
  LEDGERFLOW_OUTBOUND_HOSTS: z.string().trim().regex(/^[A-Za-z0-9*.:\-[\]]+(\s*,\s*[A-Za-z0-9*.:\-[\]]+)*$/).transform((v) => v.split(',').map((h) => h.trim().toLowerCase())).optional(),
  LEDGERFLOW_LOG_LEVEL: z.enum(LOG_LEVELS),
  LEDGERFLOW_LOG_FORMAT: z.enum(['auto', 'json', 'pretty']),
  LEDGERFLOW_METRICS_SAMPLE_SECONDS: wholeNumber(0, 3600),
  LEDGERFLOW_DEBUG: flag,
  LEDGERFLOW_PUBLIC_URL: httpUrl.optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
});

export type SettingName = keyof typeof settingsSchema.shape;

interface SettingDoc {
  /** The value used when the variable is unset or empty (as it would be written). */
  default?: string;
  /** What is allowed, as the error message and the README say it. */
  allowed: string;
  what: string;
}

/** Defaults and documentation, one per schema entry (the type makes a missing or extra entry a compile error). */
export const SETTING_DOCS: Record<SettingName, SettingDoc> = {
  PORT: { default: '8080', allowed: 'a TCP port, 0–65535 (0: any free port)', what: 'port `serve` listens on' },
  HOST: { default: '0.0.0.0', allowed: 'a host name or address', what: 'address `serve` listens on' },
  DATABASE_URL: { allowed: 'a `postgres://` or `postgresql://` URL', what: 'a Postgres server instead of the embedded PGlite' },
  LEDGERFLOW_DB_SCHEMA: { allowed: 'a Postgres identifier (letters, digits, _)', what: 'Postgres schema for the store other than the default (e.g. one per installation)' },
  LEDGERFLOW_DATA: { default: '.ledgerflow', allowed: 'a folder path', what: 'data folder: `pgdata/`, `secret.key`, `out/`' },
  LEDGERFLOW_SECRET_KEY: { allowed: 'base64 of 32 bytes (`openssl rand -base64 32`)', what: 'key of the stored secrets; otherwise `<data>/secret.key` is generated, mode 0600 — keep it, stored secrets cannot be read without it' },
  LEDGERFLOW_ENVIRONMENTS: { default: 'dev,test,prod', allowed: 'comma-separated names (lower-case letters, digits, -), `!` marks approval', what: 'environments in promotion order; the last, or those marked `!`, need an approved promotion' },
  LEDGERFLOW_PROMOTION_ORDER: { default: 'ran', allowed: '`ran`, `deployed` or `off`', what: 'a version goes to an environment only after a finished run in the one before it (`ran`), after being deployed there (`deployed`), or in any order (`off`); see [Promotion order](#promotion-order)' },
  LEDGERFLOW_BODY_LIMIT: { default: '10485760', allowed: 'a whole number of bytes ≥ 1024', what: 'largest request body (413 above it)' },
  LEDGERFLOW_SESSION_HOURS: { default: '12', allowed: 'a number of hours > 0', what: 'lifetime of a browser session' },
  LEDGERFLOW_WORKER: { default: '1', allowed: '0 or 1 (true/false)', what: '0: `serve` runs no in-process worker (API only)' },
  LEDGERFLOW_EXAMPLES: { default: '1', allowed: '0 or 1 (true/false)', what: '0: `serve` does not load the example flows into an empty database' },
  LEDGERFLOW_EXAMPLES_DIR: { default: 'flows', allowed: 'a folder path', what: 'where the example flows are loaded from' },
  LEDGERFLOW_OUT: { allowed: 'a folder path', what: 'folder of file targets; default `<data>/out` for `serve`, `./out` for the CLI and `worker`' },
  LEDGERFLOW_CONNECTIONS: { allowed: 'a file path', what: 'connections file of the CLI\'s local runs (as `--connections`)' },
  LEDGERFLOW_ADMIN_PASSWORD: { allowed: '8–1024 characters', what: 'password of the first `admin` (otherwise one is generated and printed once)' },
  LEDGERFLOW_USER_PASSWORD: { allowed: '8–1024 characters', what: 'password of `ledgerflow users add` when `--password` is not given' },
  LEDGERFLOW_SNAPSHOT_DAYS: { default: '90', allowed: 'a whole number of days ≥ 1', what: 'days record snapshots are kept ([retention](#retention))' },
  LEDGERFLOW_LINEAGE_DAYS: { default: '3650', allowed: 'a whole number of days ≥ the snapshot days', what: 'days the lineage skeleton is kept' },
  LEDGERFLOW_HTTP_CLIENT: { default: 'keep-alive', allowed: '`keep-alive` or `fetch`', what: 'HTTP targets use the runtime\'s keep-alive client (`runtime/connectors/http-client.ts`) or Node\'s built-in fetch (for telling a client fault from a server fault)' },
  LEDGERFLOW_OUTBOUND_HOSTS: { allowed: 'comma-separated host names or addresses (`*.bank.example` for a domain\'s hosts)', what: 'the only hosts HTTP targets may call (default: any host except link-local and cloud-metadata addresses, which are always refused)' },
  LEDGERFLOW_LOG_LEVEL: { default: 'info', allowed: LOG_LEVELS.join(', '), what: 'least level of the [log lines](#logs)' },
  LEDGERFLOW_LOG_FORMAT: { default: 'auto', allowed: '`auto`, `json` or `pretty`', what: 'log lines as JSON, or human-readable; `auto`: readable when stderr is a terminal' },
  LEDGERFLOW_METRICS_SAMPLE_SECONDS: { default: '15', allowed: 'a whole number of seconds, 0–3600', what: 'how often the database-wide figures of `/metrics` are refreshed (0: at every scrape)' },
  LEDGERFLOW_DEBUG: { default: '0', allowed: '0 or 1 (true/false)', what: '1: the CLI prints stack traces of unexpected errors' },
  LEDGERFLOW_PUBLIC_URL: { allowed: 'an `http(s)://` URL', what: 'where users reach the console, for the links to runs in [alerts](#alerts); default the address `serve` listens on' },
  OTEL_EXPORTER_OTLP_ENDPOINT: { allowed: 'an `http(s)://` URL', what: 'OpenTelemetry collector: spans of runs and chunks are sent to `<url>/v1/traces` (OTLP/HTTP)' },
};

type Parsed = z.output<typeof settingsSchema>;

/** The runtime's settings, typed; built by `parseSettings`. */
export interface Settings {
  port: number;
  host: string;
  databaseUrl?: string;
  dbSchema?: string;
  dataDir: string;
  secretKey?: string;
  environments: EnvironmentConfig[];
  promotionOrder: PromotionOrder;
  bodyLimitBytes: number;
  sessionHours: number;
  worker: boolean;
  examples: boolean;
  examplesDir: string;
  outDir?: string;
  connectionsFile?: string;
  adminPassword?: string;
  userPassword?: string;
  retention: { snapshotDays: number; lineageDays: number };
  httpClient: Parsed['LEDGERFLOW_HTTP_CLIENT'];
  /** Hosts HTTP targets may call; undefined: any (link-local and metadata addresses are refused regardless). */
  outboundHosts?: string[];
  logLevel: Parsed['LEDGERFLOW_LOG_LEVEL'];
  logFormat: Parsed['LEDGERFLOW_LOG_FORMAT'];
  metricsSampleSeconds: number;
  debug: boolean;
  otlpEndpoint?: string;
  /** Where users reach the console (links in alerts). */
  publicUrl?: string;
}

/** A setting with a value that is not allowed; `problems` has one line per variable. */
export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Ledgerflow cannot start: ${problems.length === 1 ? problems[0] : `\n  ${problems.join('\n  ')}`}`);
    this.name = 'SettingsError';
  }
}

const show = (value: string) => (value.length > 60 ? `${value.slice(0, 57)}…` : value);
const SECRET_VALUES = new Set<SettingName>(['LEDGERFLOW_SECRET_KEY', 'LEDGERFLOW_ADMIN_PASSWORD', 'LEDGERFLOW_USER_PASSWORD', 'DATABASE_URL']);

/** Parses and checks every setting of `env`; throws a SettingsError naming each bad variable. */
export function parseSettings(env: Record<string, string | undefined>): Settings {
  const names = Object.keys(settingsSchema.shape) as SettingName[];
  const input = Object.fromEntries(names.map((name) => [name, env[name] === undefined || env[name] === '' ? SETTING_DOCS[name].default : env[name]]));
  const result = settingsSchema.safeParse(input);
  if (!result.success) {
    const problems = new Map<string, string>();
    for (const issue of result.error.issues) {
      const name = String(issue.path[0]) as SettingName;
      if (problems.has(name)) continue;
      const value = SECRET_VALUES.has(name) ? '' : ` is '${show(String(input[name]))}'`;
      // A custom issue carries the parser's own message, which says what is allowed.
      if (issue.code === 'custom') problems.set(name, issue.message.startsWith(name) ? issue.message : `${name}: ${issue.message}`);
      else problems.set(name, `${name}${value}: allowed is ${SETTING_DOCS[name].allowed}.`);
    }
    throw new SettingsError([...problems.values()]);
  }
  const s = result.data;
  if (s.LEDGERFLOW_LINEAGE_DAYS < s.LEDGERFLOW_SNAPSHOT_DAYS) {
    throw new SettingsError([`LEDGERFLOW_LINEAGE_DAYS is '${s.LEDGERFLOW_LINEAGE_DAYS}': allowed is ${SETTING_DOCS.LEDGERFLOW_LINEAGE_DAYS.allowed} (LEDGERFLOW_SNAPSHOT_DAYS is ${s.LEDGERFLOW_SNAPSHOT_DAYS}).`]);
  }
  return {
    port: s.PORT, host: s.HOST, databaseUrl: s.DATABASE_URL, dbSchema: s.LEDGERFLOW_DB_SCHEMA, dataDir: s.LEDGERFLOW_DATA,
    secretKey: s.LEDGERFLOW_SECRET_KEY, environments: s.LEDGERFLOW_ENVIRONMENTS ?? parseEnvironments(undefined),
    promotionOrder: s.LEDGERFLOW_PROMOTION_ORDER,
    bodyLimitBytes: s.LEDGERFLOW_BODY_LIMIT, sessionHours: s.LEDGERFLOW_SESSION_HOURS,
    worker: s.LEDGERFLOW_WORKER, examples: s.LEDGERFLOW_EXAMPLES, examplesDir: s.LEDGERFLOW_EXAMPLES_DIR,
    outDir: s.LEDGERFLOW_OUT, connectionsFile: s.LEDGERFLOW_CONNECTIONS,
    adminPassword: s.LEDGERFLOW_ADMIN_PASSWORD, userPassword: s.LEDGERFLOW_USER_PASSWORD,
    retention: { snapshotDays: s.LEDGERFLOW_SNAPSHOT_DAYS, lineageDays: s.LEDGERFLOW_LINEAGE_DAYS },
    httpClient: s.LEDGERFLOW_HTTP_CLIENT, outboundHosts: s.LEDGERFLOW_OUTBOUND_HOSTS, logLevel: s.LEDGERFLOW_LOG_LEVEL, logFormat: s.LEDGERFLOW_LOG_FORMAT,
    metricsSampleSeconds: s.LEDGERFLOW_METRICS_SAMPLE_SECONDS, debug: s.LEDGERFLOW_DEBUG, otlpEndpoint: s.OTEL_EXPORTER_OTLP_ENDPOINT, publicUrl: s.LEDGERFLOW_PUBLIC_URL,
  };
}

/** The README's settings table (Markdown), generated from the schema; a test keeps the README equal to it. */
export function settingsTable(): string {
  const rows = (Object.keys(SETTING_DOCS) as SettingName[]).map((name) => {
    const d = SETTING_DOCS[name];
    return `| \`${name}\` | ${d.default !== undefined ? `\`${d.default}\`` : ''} | ${d.allowed} | ${d.what} |`;
  });
  return ['| variable | default | allowed | what |', '|---|---|---|---|', ...rows].join('\n');
}
