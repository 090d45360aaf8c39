/**
 * A ClickHouse exception as the HTTP interface reports it: the text
 * `Code: 60. DB::Exception: <message>. (UNKNOWN_TABLE)`, its numeric code and its type name.
 * `@clickhouse/client` parses exactly this text into a `ClickHouseError` with `code` and `type`.
 */
export class ClickHouseException extends Error {
  override readonly name = 'ClickHouseException';
  readonly code: number;
  readonly type: string;

  private constructor(code: number, type: string, text: string) {
    super(text);
    this.code = code;
    this.type = type;
  }

  static of(code: number, type: string, message: string): ClickHouseException {
    return new ClickHouseException(
      code,
      type,
      `Code: ${code}. DB::Exception: ${message}. (${type})`,
    );
  }

  /** chdb reports engine errors in ClickHouse's text form; anything else is a STD_EXCEPTION. */
  static from(error: unknown): ClickHouseException {
    if (error instanceof ClickHouseException) return error;
    const text = error instanceof Error ? error.message : String(error);
    const code = /^Code: (\d+)\./.exec(text)?.[1];
    const type = /\(([A-Z][A-Z0-9_]+)\)\s*$/.exec(text)?.[1];
    if (code !== undefined && type !== undefined) {
      return new ClickHouseException(Number(code), type, text.trimEnd());
    }
    return ClickHouseException.of(1001, 'STD_EXCEPTION', text);
  }

  /** The same exception with its text rewritten (the code and type stay). */
  withText(rewrite: (text: string) => string): ClickHouseException {
    return new ClickHouseException(this.code, this.type, rewrite(this.message));
  }

  /** The status ClickHouse answers with (src/Server/HTTP/exceptionCodeToHTTPStatus.cpp). */
  get httpStatus(): number {
    return httpStatusByType.get(this.type) ?? 500;
  }
}

const statusGroups: readonly (readonly [number, readonly string[]])[] = [
  [401, ['REQUIRED_PASSWORD']],
  [
    403,
    [
      'UNKNOWN_USER',
      'WRONG_PASSWORD',
      'AUTHENTICATION_FAILED',
      'SET_NON_GRANTED_ROLE',
      'ACCESS_DENIED',
    ],
  ],
  [
    400,
    [
      'BAD_ARGUMENTS',
      'CANNOT_COMPILE_REGEXP',
      'CANNOT_PARSE_TEXT',
      'CANNOT_PARSE_ESCAPE_SEQUENCE',
      'CANNOT_PARSE_QUOTED_STRING',
      'CANNOT_PARSE_DATE',
      'CANNOT_PARSE_DATETIME',
      'CANNOT_PARSE_NUMBER',
      'CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING',
      'CANNOT_PARSE_IPV4',
      'CANNOT_PARSE_IPV6',
      'CANNOT_PARSE_INPUT_ASSERTION_FAILED',
      'CANNOT_PARSE_UUID',
      'DUPLICATE_COLUMN',
      'ILLEGAL_COLUMN',
      'UNKNOWN_ELEMENT_IN_AST',
      'UNKNOWN_TYPE_OF_AST_NODE',
      'THERE_IS_NO_COLUMN',
      'TOO_DEEP_AST',
      'TOO_BIG_AST',
      'UNEXPECTED_AST_STRUCTURE',
      'SYNTAX_ERROR',
      'INCORRECT_DATA',
      'TYPE_MISMATCH',
      'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
    ],
  ],
  [
    404,
    [
      'UNKNOWN_TABLE',
      'UNKNOWN_FUNCTION',
      'UNKNOWN_IDENTIFIER',
      'UNKNOWN_TYPE',
      'UNKNOWN_STORAGE',
      'UNKNOWN_DATABASE',
      'UNKNOWN_SETTING',
      'UNKNOWN_DIRECTION_OF_SORTING',
      'UNKNOWN_AGGREGATE_FUNCTION',
      'UNKNOWN_FORMAT',
      'UNKNOWN_DATABASE_ENGINE',
      'UNKNOWN_TYPE_OF_QUERY',
      'UNKNOWN_ROLE',
    ],
  ],
  [413, ['QUERY_IS_TOO_LARGE']],
  [501, ['NOT_IMPLEMENTED']],
  [503, ['SOCKET_TIMEOUT', 'CANNOT_OPEN_FILE', 'CANNOT_SCHEDULE_TASK']],
  [411, ['HTTP_LENGTH_REQUIRED']],
  [408, ['TIMEOUT_EXCEEDED']],
  [415, ['UNSUPPORTED_MEDIA_TYPE']],
];

const httpStatusByType = new Map(
  statusGroups.flatMap(([status, types]) => types.map((type) => [type, status] as const)),
);
