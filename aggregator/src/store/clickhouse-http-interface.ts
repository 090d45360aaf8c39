/**
 * ClickHouse's HTTP interface served from chdb, the ClickHouse engine in this process: the
 * subset that `@clickhouse/client` and `curl 'http://host:port/?query=…'` use, so that code
 * written for a ClickHouse server (kpiwall's server mode, engineers' tools) runs against an
 * embedded data directory.
 *
 * ```ts
 * const http = await startClickHouseHttpInterface({ dataDir, readOnly: false });
 * const store = await ClickHouseStore.open(
 *   { kind: 'server', url: http.url, user: 'default', password: '' }, 'kpiwall');
 * await http.close();
 * ```
 *
 * Requests
 * - `GET /ping`, and `GET /` without a `query`, answer `Ok.`.
 * - Anything else is a query: the `query` URL parameter, a line break and the request body,
 *   concatenated as ClickHouse does (so an INSERT's data follows its statement). `database`
 *   (or header `X-ClickHouse-Database`) selects the database, `default_format` (or header
 *   `X-ClickHouse-Format`) the output format when the query has no FORMAT clause (default
 *   TabSeparated), `param_<name>` binds `{name:Type}` with ClickHouse's own parsing of the
 *   text, `query_id` (or header `X-ClickHouse-Query-Id`) is echoed back. Every other URL
 *   parameter is a setting for this request. Server-side session and transport parameters
 *   (`user`, `password`, `session_id`, `wait_end_of_query`, `buffer_size`, `role`, …) are
 *   accepted and ignored, as are Basic auth and `X-ClickHouse-User`/`-Key` headers.
 * - GET and HEAD run with `readonly = 2` as on a server; a request body may be gzip, deflate,
 *   br or zstd (`Content-Encoding`) and is bounded by `maxBodyBytes` after decompression.
 * - Answers carry `X-ClickHouse-Query-Id`, `-Format` and `-Summary` (chdb reports rows and
 *   bytes read and the elapsed time; written and result rows read 0). A failure answers with
 *   ClickHouse's status for the exception, header `X-ClickHouse-Exception-Code` and body
 *   `Code: N. DB::Exception: … (TYPE)`, which `@clickhouse/client` raises as ClickHouseError.
 *
 * Each request runs on a chdb connection of its own, opened on the data directory and closed
 * after it (about a millisecond while `anchor` holds the directory open): settings, `USE`,
 * `SET param_…` and the connection state chdb leaves behind after a failed statement all end
 * with the request, like a request without `session_id` on a server. Connections on one
 * directory run queries in parallel; `maxConcurrentQueries` bounds them, because chdb runs each
 * query on a libuv worker thread that the rest of this process needs too.
 *
 * Read-only (`readOnly: true`): every request's connection first runs DESIGN.md's recipe, the
 * three limits then `SET readonly = 1`, so ClickHouse itself refuses writes, DDL, file/url/
 * executable table functions and any settings change (URL settings, SET, SETTINGS clauses).
 * Two things readonly does not cover in chdb are refused here, before the query runs, by
 * looking at the statement as ClickHouse's parser formats it (`formatQuerySingleLine`):
 * `INTO OUTFILE` (clickhouse-local writes the file itself, readonly or not; servers refuse it
 * over HTTP, so it is refused in writable mode too, as is `FROM INFILE`) and `KILL` (every chdb
 * connection is the same user, so it would reach the writer's queries). The same check refuses
 * several statements in one request, as a server does, where chdb would run them all; except
 * after the inline data of `INSERT … VALUES`, which the parser takes for data and chdb runs as
 * statements: harmless read-only, where every INSERT fails and chdb stops at the first error.
 *
 * There is no authentication: the interface binds to 127.0.0.1 unless told otherwise, and a
 * writable one has what clickhouse-local has, this process's access to files and network.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import {
  createBrotliDecompress,
  createGunzip,
  createInflate,
  createZstdDecompress,
} from 'node:zlib';
import { Session, type ChdbResult } from 'chdb';
import { z } from 'zod';
import { ClickHouseException } from './clickhouse-exception.ts';

/** The read-only connection's limits (DESIGN.md "Facts about this machine"). */
export type QueryLimits = {
  /** `max_execution_time`: a longer query is cancelled with TIMEOUT_EXCEEDED. */
  maxExecutionTimeSeconds: number;
  /** `max_result_rows`: a larger result fails with TOO_MANY_ROWS_OR_BYTES. */
  maxResultRows: number;
  /** `max_memory_usage` of one query, bytes. */
  maxMemoryUsageBytes: number;
};

/** Writable, or read-only under ClickHouse's `readonly = 1` with these limits. */
export type ClickHouseHttpInterfaceAccess =
  { readOnly: false } | { readOnly: true; limits: QueryLimits };

export type ClickHouseHttpInterfaceOptions = ClickHouseHttpInterfaceAccess & {
  /** The chdb data directory; no other directory may be open in this process. */
  dataDir: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port, see `url`. */
  port?: number;
  /** Largest request body after decompression; default 64 MiB. */
  maxBodyBytes?: number;
  /** Queries running at once, the others wait; default 2. */
  maxConcurrentQueries?: number;
  /** Database of a request that names none (ClickHouse's own default is `default`). */
  defaultDatabase?: string;
};

export type ClickHouseHttpInterface = {
  /** e.g. `http://127.0.0.1:41234`, for `@clickhouse/client`'s `url`. */
  url: string;
  /** Stops accepting, lets running requests finish, closes connections and the directory. */
  close(): Promise<void>;
};

const limitsSchema = z.strictObject({
  maxExecutionTimeSeconds: z.number().positive(),
  maxResultRows: z.int().positive(),
  maxMemoryUsageBytes: z.int().positive(),
});

const capacitySchema = z.object({
  maxBodyBytes: z
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  maxConcurrentQueries: z.int().positive().default(2),
});

const optionalText = z
  .string()
  .optional()
  .transform((value) => value || undefined);

const requestParamsSchema = z.object({
  query: z.string().default(''),
  database: optionalText,
  default_format: optionalText,
  compress: z.stringbool().default(false),
  decompress: z.stringbool().default(false),
});

/** URL parameters that are not settings (HTTPHandler.cpp's reserved names, plus `role`). */
const nonSettingParams = new Set([
  'query',
  'database',
  'default_format',
  'query_id',
  'compress',
  'decompress',
  'user',
  'password',
  'quota_key',
  'stacktrace',
  'buffer_size',
  'wait_end_of_query',
  'session_id',
  'session_timeout',
  'session_check',
  'client_protocol_version',
  'close_session',
  'role',
]);

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

const decompressors = new Map<string, () => NodeJS.ReadWriteStream>([
  ['gzip', createGunzip],
  ['x-gzip', createGunzip],
  ['deflate', createInflate],
  ['br', createBrotliDecompress],
  ['zstd', createZstdDecompress],
]);

type QueryRequest = {
  method: string;
  query: string;
  database: string | undefined;
  defaultFormat: string;
  settings: (readonly [string, string])[];
  parameters: (readonly [string, string])[];
};

type QueryAnswer = { body: Buffer; format: string | undefined; summary: Record<string, string> };

export const startClickHouseHttpInterface = async (
  options: ClickHouseHttpInterfaceOptions,
): Promise<ClickHouseHttpInterface> => {
  const dataDir = resolve(options.dataDir);
  const access: ClickHouseHttpInterfaceAccess = options.readOnly
    ? { readOnly: true, limits: limitsSchema.parse(options.limits) }
    : { readOnly: false };
  const { maxBodyBytes, maxConcurrentQueries } = capacitySchema.parse({
    maxBodyBytes: options.maxBodyBytes,
    maxConcurrentQueries: options.maxConcurrentQueries,
  });
  const host = options.host ?? '127.0.0.1';
  const withSlot = concurrencyLimit(maxConcurrentQueries);

  // Opening a connection starts the engine when none is open on the directory (tens of ms);
  // this one stays open so that each request's connection opens in about a millisecond.
  const anchor = new Session(dataDir);

  const answerQuery = async (req: IncomingMessage, request: QueryRequest): Promise<QueryAnswer> =>
    withSlot(async () => {
      const body = await readBody(req, maxBodyBytes);
      const sql = (request.query === '' ? '' : `${request.query}\n`) + body;
      const session = new Session(dataDir);
      try {
        return await runQuery(session, access, request, sql);
      } finally {
        session.close();
      }
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? '';
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
      sendText(res, 405, `HTTP method ${method} is not supported.\n`, { Allow: 'GET, HEAD, POST' });
      return;
    }
    if (
      url.pathname === '/ping' ||
      (url.pathname === '/' && method !== 'POST' && !url.searchParams.has('query'))
    ) {
      sendText(res, 200, 'Ok.\n');
      return;
    }
    const queryId =
      url.searchParams.get('query_id') || header(req, 'x-clickhouse-query-id') || randomUUID();
    try {
      const answer = await answerQuery(req, parseRequest(req, url, options.defaultDatabase));
      res.writeHead(200, {
        'Content-Type': contentTypeOf(answer.format),
        ...(answer.format === undefined ? {} : { 'X-ClickHouse-Format': answer.format }),
        'X-ClickHouse-Query-Id': queryId,
        'X-ClickHouse-Summary': JSON.stringify(answer.summary),
        'Content-Length': answer.body.length,
      });
      res.end(answer.body);
    } catch (error) {
      const exception = ClickHouseException.from(error);
      res.writeHead(exception.httpStatus, {
        'Content-Type': 'text/plain; charset=UTF-8',
        'X-ClickHouse-Query-Id': queryId,
        'X-ClickHouse-Exception-Code': String(exception.code),
        // A body left half-read would be taken for the next request on this connection.
        ...(req.complete ? {} : { Connection: 'close' }),
      });
      res.end(`${exception.message}\n`);
    }
  };

  const inFlight = new Set<Promise<void>>();
  // ClickHouse takes URLs up to 1 MiB (http_max_uri_size), Node 16 KiB by default.
  const server = createServer({ maxHeaderSize: 1024 * 1024 }, (req, res) => {
    const handling: Promise<void> = handle(req, res)
      .catch(() => {
        res.destroy();
      })
      .finally(() => {
        inFlight.delete(handling);
      });
    inFlight.add(handling);
  });
  try {
    await new Promise<void>((listening, failed) => {
      server.once('error', failed);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', failed);
        listening();
      });
    });
  } catch (error) {
    anchor.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    async close() {
      const closed = new Promise<void>((done) => {
        server.close(() => {
          done();
        });
      });
      await Promise.all(inFlight);
      server.closeAllConnections();
      await closed;
      anchor.close();
    },
  };
};

const parseRequest = (
  req: IncomingMessage,
  url: URL,
  defaultDatabase: string | undefined,
): QueryRequest => {
  const values = new Map<string, string>();
  for (const [key, value] of url.searchParams) if (!values.has(key)) values.set(key, value);
  const parsed = requestParamsSchema.safeParse(Object.fromEntries(values));
  if (!parsed.success) {
    throw ClickHouseException.of(
      36,
      'BAD_ARGUMENTS',
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
    );
  }
  const params = parsed.data;
  if (params.compress || params.decompress) {
    throw ClickHouseException.of(
      48,
      'NOT_IMPLEMENTED',
      "ClickHouse's native compression (compress=1, decompress=1) is not supported here; use HTTP compression",
    );
  }
  if (header(req, 'content-type')?.startsWith('multipart/form-data')) {
    throw ClickHouseException.of(
      48,
      'NOT_IMPLEMENTED',
      'multipart/form-data requests (external tables, multipart query parameters) are not supported here',
    );
  }
  const settings: (readonly [string, string])[] = [];
  const parameters: (readonly [string, string])[] = [];
  for (const [key, value] of values) {
    if (key === '' || nonSettingParams.has(key)) continue;
    if (key.startsWith('param_')) {
      const name = key.slice('param_'.length);
      if (!identifier.test(name)) {
        throw ClickHouseException.of(
          457,
          'BAD_QUERY_PARAMETER',
          `Invalid query parameter name '${name}'`,
        );
      }
      parameters.push([name, value]);
    } else {
      if (!identifier.test(key)) {
        throw ClickHouseException.of(115, 'UNKNOWN_SETTING', `Unknown setting '${key}'`);
      }
      settings.push([key, value]);
    }
  }
  return {
    method: req.method ?? 'GET',
    query: params.query,
    database: header(req, 'x-clickhouse-database') ?? params.database ?? defaultDatabase,
    defaultFormat: header(req, 'x-clickhouse-format') ?? params.default_format ?? 'TabSeparated',
    settings,
    parameters,
  };
};

const runQuery = async (
  session: Session,
  access: ClickHouseHttpInterfaceAccess,
  request: QueryRequest,
  sql: string,
): Promise<QueryAnswer> => {
  // Statements with no user input first: nothing the request brings can run before them.
  await runStatements(
    session,
    access.readOnly
      ? [
          `SET max_execution_time = ${access.limits.maxExecutionTimeSeconds}`,
          `SET max_result_rows = ${access.limits.maxResultRows}`,
          `SET max_memory_usage = ${access.limits.maxMemoryUsageBytes}`,
          'SET readonly = 1',
        ]
      : request.method === 'POST'
        ? []
        : ['SET readonly = 2'],
  );
  await runStatements(session, [
    ...request.settings.map(([name, value]) => `SET ${name} = ${quoteString(value)}`),
    ...(request.database === undefined ? [] : [`USE ${quoteIdentifier(request.database)}`]),
  ]);
  const statement = await formatStatement(session, sql);
  refuseUnsafeStatements(statement, access.readOnly);
  // After formatStatement: chdb's parameter binding, which it uses, clears SET param_… values.
  await runStatements(
    session,
    request.parameters.map(([name, value]) => `SET param_${name} = ${quoteString(value)}`),
  );
  const format = statement.startsWith('INSERT ')
    ? undefined
    : (/ FORMAT (\w+)(?: SETTINGS .*)?$/.exec(statement)?.[1] ?? request.defaultFormat);
  let result: ChdbResult | undefined;
  try {
    result = await session.queryAsync(sql, { format: request.defaultFormat });
  } catch (error) {
    const exception = ClickHouseException.from(error);
    // Raised by clickhouse-local's client part for an INSERT without data; a server inserts
    // nothing and succeeds.
    if (exception.type !== 'NO_DATA_TO_INSERT') throw exception;
  }
  const bytes = result?.bytes() ?? new Uint8Array();
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    body,
    format,
    summary: {
      read_rows: String(result?.rowsRead ?? 0),
      read_bytes: String(result?.bytesRead ?? 0),
      written_rows: '0',
      written_bytes: '0',
      total_rows_to_read: '0',
      result_rows: '0',
      result_bytes: String(body.length),
      elapsed_ns: String(Math.round((result?.elapsed ?? 0) * 1e9)),
    },
  };
};

const runStatements = async (session: Session, statements: readonly string[]): Promise<void> => {
  if (statements.length > 0) await session.queryAsync(statements.join('; '));
};

/** The request's statement as ClickHouse's parser formats it; refuses several statements. */
const formatStatement = async (session: Session, sql: string): Promise<string> => {
  try {
    const result = await session.queryBindAsync(
      'SELECT formatQuerySingleLine({sql:String})',
      { sql },
      { format: 'RawBLOB' },
    );
    return result.text();
  } catch (error) {
    // The parser's message names the wrapping query (the request's SQL again): drop that part.
    throw ClickHouseException.from(error).withText((text) =>
      text.replace(/\.?\s*: In scope SELECT formatQuerySingleLine\(.*\)\. \(/s, '. ('),
    );
  }
};

const refuseUnsafeStatements = (statement: string, readOnly: boolean): void => {
  if (/\bINTO OUTFILE\b/.test(statement)) {
    throw ClickHouseException.of(358, 'INTO_OUTFILE_NOT_ALLOWED', 'INTO OUTFILE is not allowed');
  }
  if (/\bFROM INFILE\b/.test(statement)) {
    throw ClickHouseException.of(
      78,
      'UNKNOWN_TYPE_OF_QUERY',
      'Query has infile and was send directly to server',
    );
  }
  if (readOnly && /^KILL\b/.test(statement)) {
    throw ClickHouseException.of(
      164,
      'READONLY',
      "KILL is refused on a read-only interface: it would reach other connections' queries",
    );
  }
};

const readBody = (req: IncomingMessage, maxBytes: number): Promise<string> => {
  const tooLarge = ClickHouseException.of(
    229,
    'QUERY_IS_TOO_LARGE',
    `The request body exceeds ${maxBytes} bytes, this interface's limit`,
  );
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) return Promise.reject(tooLarge);
  const encoding = (header(req, 'content-encoding') ?? 'identity').toLowerCase();
  let source: Readable | NodeJS.ReadWriteStream = req;
  if (encoding !== 'identity') {
    const decompressor = decompressors.get(encoding);
    if (!decompressor) {
      return Promise.reject(
        ClickHouseException.of(
          89,
          'UNKNOWN_COMPRESSION_METHOD',
          `Unsupported Content-Encoding '${encoding}'`,
        ),
      );
    }
    source = req.pipe(decompressor());
  }
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (error: Error): void => {
      source.pause();
      reject(error);
    };
    source.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) fail(tooLarge);
      else chunks.push(chunk);
    });
    source.once('error', (error: Error) => {
      fail(
        source === req ? error : ClickHouseException.of(271, 'CANNOT_DECOMPRESS', error.message),
      );
    });
    if (source !== req) req.once('error', fail);
    source.once('end', () => {
      try {
        resolveBody(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
      } catch {
        reject(
          ClickHouseException.of(
            48,
            'NOT_IMPLEMENTED',
            'The request body is not UTF-8 text: chdb takes a query and its data as text, so binary formats are not supported here',
          ),
        );
      }
    });
  });
};

const concurrencyLimit = (slots: number) => {
  let free = slots;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (free > 0) free--;
    else await new Promise<void>((acquired) => waiting.push(acquired));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
};

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

const sendText = (
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void => {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=UTF-8', ...headers });
  res.end(text);
};

const contentTypeOf = (format: string | undefined): string => {
  const name = format?.toLowerCase() ?? '';
  if (name.startsWith('tabseparated') || name.startsWith('tsv')) {
    return 'text/tab-separated-values; charset=UTF-8';
  }
  if (name.startsWith('csv')) return 'text/csv; charset=UTF-8';
  if (name.startsWith('json')) return 'application/json; charset=UTF-8';
  return 'text/plain; charset=UTF-8';
};

const quoteString = (value: string): string =>
  `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

const quoteIdentifier = (name: string): string =>
  `\`${name.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``;
