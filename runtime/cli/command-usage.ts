/**
 * What `ledgerflow --help` and `ledgerflow <command> --help` print: every
 * command with every option it accepts. Kept apart from the commands' code so
 * help needs no module of theirs (a test checks both lists agree).
 */

/** Usage lines of one command, by section. */
export interface CommandUsage {
  section: 'Service' | 'Flows' | 'Operations';
  /** `ledgerflow <command> …` lines, without the `ledgerflow ` prefix. */
  synopsis: string[];
  /** `--option <value>   what it does` lines. */
  options: string[];
}

export const COMMAND_USAGE: Record<string, CommandUsage> = {
  serve: {
    section: 'Service',
    synopsis: ['serve [--port <n>] [--host <h>] [--build-if-missing] [--no-examples]   server + designer + in-process worker (npm start)'],
    options: ['--port <n>            listen on this port (default $PORT, else 8080)', '--host <h>            listen on this address (default $HOST)', '--build-if-missing    build the designer into dist/designer first when it is not there', '--no-examples         do not import the example flows into an empty database'],
  },
  worker: {
    section: 'Service',
    synopsis: ['worker [--concurrency <n>] [--chunk-size <n>] [--cores <n|all>] [--out <dir>] [--metrics-port <n>]   an extra worker process (with DATABASE_URL); its /metrics on that port'],
    options: ['--concurrency <n>     chunks worked at once (default 2)', '--chunk-size <n>      records per chunk (default 500)', '--cores <n|all>       work the queue on n cores: this process and n-1 helper worker processes it starts and stops (Postgres only; default 1)', '--out <dir>           folder of file targets (default $LEDGERFLOW_OUT, else ./out)', '--metrics-port <n>    serve this worker\'s Prometheus metrics at http://<host>:<n>/metrics'],
  },
  users: {
    section: 'Service',
    synopsis: ['users add <username> --role analyst|admin|operator [--password <p>] [--name <display name>]', 'users list [--json]', 'users disable <username>', 'users enable <username>'],
    options: ['--role <role>         analyst, admin or operator', '--password <p>        the password (default $LEDGERFLOW_USER_PASSWORD, else a generated one, shown once)', '--name <text>         display name (default the username)', '--json                print JSON'],
  },
  examples: {
    section: 'Service',
    synopsis: ['examples load [--dir <folder>] [--json]   import the example flows (default folder flows/)'],
    options: ['--dir <folder>        where the example flows are (default flows)', '--json                print JSON'],
  },
  validate: {
    section: 'Flows',
    synopsis: ['validate <flow-file> [--sample <file>]… [--json]   check a flow; exit 0 valid, 1 not'],
    options: ['--sample <file>       also dry-run the flow on this sample and warn of what gave nothing (repeatable)', '--json                print JSON'],
  },
  run: {
    section: 'Flows',
    synopsis: ['run <flow-file> [--input <file>] [--source <node-id>] [--connections <file>] [--dry-run] [--out <dir>] [--chunk-size <n>] [--json]', '    exit 0 succeeded, 3 completed with exceptions, 2 failed'],
    options: ['-i, --input <file>    the document to run the flow on (left out: an API or query source reads by itself)', '--source <node-id>    the source node the document is for (flows with several sources)', '--connections <file>  connection bindings (default $LEDGERFLOW_CONNECTIONS)', '--dry-run             run without writing to targets', '--out <dir>           folder of file targets (default $LEDGERFLOW_OUT, else ./out)', '--chunk-size <n>      records per chunk', '--json                print JSON'],
  },
  replay: {
    section: 'Flows',
    synopsis: ['replay <run-id> [--record <key>]… [--flow <fixed-flow-file>] [--reference as-it-was|current] [--connections <file>] [--out <dir>] [--json]', "    replay a run's dead letters (idempotent); exit codes as for run"],
    options: ['--record <key>        only this record (repeatable)', '--flow <file>         replay against a fixed flow file instead of the stored version', '--reference <mode>    current (default): re-evaluate with today\'s reference data; as-it-was: as when the records failed', '--connections <file>  connection bindings', '--out <dir>           folder of file targets', '--json                print JSON'],
  },
  nodes: {
    section: 'Flows',
    synopsis: ['nodes [--json]   list node types'],
    options: ['--json                print JSON'],
  },
  runs: {
    section: 'Operations',
    synopsis: ['runs [--flow <id>] [--status <status>] [--exceptions] [--limit <n>] [--json]   newest runs first'],
    options: ['--flow <id>           runs of this flow', '--status <status>     queued, running, succeeded, completed_with_exceptions, failed, cancelled', '--exceptions          only runs with quarantined or dead-lettered records', '--limit <n>           how many to show (default 20, at most 1000)', '--json                print JSON'],
  },
  trace: {
    section: 'Operations',
    synopsis: ['trace <run-id> [--record <lineage|source|business key>] [--outcome <o>] [--limit <n>] [--json]'],
    options: ['--record <key>        one record in detail', '--outcome <o>         only records with this outcome (delivered, quarantined, dead_lettered, duplicate, filtered)', '--limit <n>           how many records to list (default 50, at most 1000)', '--json                print JSON'],
  },
  find: {
    section: 'Operations',
    synopsis: ['find <business-key> [--limit <n>] [--json]   every record with this business key, newest first'],
    options: ['--limit <n>           how many to show (default 50, at most 1000)', '--json                print JSON'],
  },
  dlq: {
    section: 'Operations',
    synopsis: ['dlq list [--flow <id>] [--run <id>] [--class <c>] [--status open|replayed|discarded] [--limit <n>] [--json]', 'dlq replay <id>… | --run <run-id> [--reference as-it-was|current] [--connections <file>] [--json]', 'dlq discard <id>… --reason "<why>" [--json]'],
    options: ['--flow <id>           dead letters of this flow', '--run <id>            of this run (list), or every open one of it (replay)', '--class <c>           of this error class', '--status <s>          open (default), replayed or discarded', '--limit <n>           how many to show (default 50, at most 1000)', '--reason <why>        why they are discarded (required by discard)', '--reference <mode>    current (default) or as-it-was reference data (replay)', '--connections <file>  connection bindings (replay)', '--json                print JSON'],
  },
  reference: {
    section: 'Operations',
    synopsis: ['reference load <set> <file> --key <field>[,<field>…] [--valid-from <field>] [--valid-to <field>] [--multiple] [--json]   load a CSV/JSON file as a new version of a set', 'reference list [--json]', 'reference show <set> [--version <n>] [--rows <n>] [--json]'],
    options: ['--key <fields>        the key field, or several separated by commas (a composite key)', '--valid-from <field>  field of the first day a row is valid (effective dates)', '--valid-to <field>    field of the last day a row is valid (inclusive)', '--multiple            several rows may share a key (one-to-many)', '--version <n>         show this version (default the current one)', '--rows <n>            how many rows to show (default 20)', '--json                print JSON'],
  },
  subflow: {
    section: 'Operations',
    synopsis: ['subflow list [--json]   sub-flows at their latest version, with the flows using each', 'subflow show <name> [--version <n>] [--json]', 'subflow save <name> <file.json> [--message "<why>"] [--json]   save a sub-flow (inputs, outputs, nodes, edges) as its next version'],
    options: ['--version <n>         show this version (default the latest)', '--message <why>       why this version (kept with it)', '--json                print JSON'],
  },
  retention: {
    section: 'Operations',
    synopsis: ['retention [--snapshot-days <n>] [--lineage-days <n>] [--json]   prune old trace snapshots and traces'],
    options: ['--snapshot-days <n>   drop record snapshots older than this (default 90)', '--lineage-days <n>    delete traces older than this (default 3650)', '--json                print JSON'],
  },
};

const FOOTER = `Every command: --help prints its usage. LEDGERFLOW_DEBUG=1 prints stack traces of unexpected errors.
Storage: embedded PGlite in $LEDGERFLOW_DATA (default ./.ledgerflow), or a Postgres server with DATABASE_URL=postgres://…
Exit codes: 0 done, 1 invalid flow (validate), 2 failed, 3 completed with exceptions (run, replay), 64 usage mistake, 78 configuration.`;

/** The usage of one command, with its options. */
export function commandUsage(name: string): string {
  const usage = COMMAND_USAGE[name];
  return [
    'usage:',
    ...usage.synopsis.map((line) => (line.startsWith('    ') ? `  ${line}` : `  ledgerflow ${line}`)),
    '',
    'options:',
    ...usage.options.map((line) => `  ${line}`),
    '  -h, --help            this text',
  ].join('\n');
}

/** The usage of every command. */
export function fullUsage(): string {
  const lines = ['usage: ledgerflow <command> [options]'];
  for (const section of ['Service', 'Flows', 'Operations'] as const) {
    lines.push('', section);
    for (const [name, usage] of Object.entries(COMMAND_USAGE)) {
      if (usage.section !== section) continue;
      lines.push(`  ${name}`);
      for (const line of usage.synopsis) lines.push(line.startsWith('    ') ? `    ${line.trim()}` : `    ledgerflow ${line}`);
      for (const line of usage.options) lines.push(`      ${line}`);
    }
  }
  return [...lines, '', FOOTER].join('\n');
}
