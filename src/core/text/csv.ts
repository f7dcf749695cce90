/** A small RFC 4180 CSV parser: quotes, escaped quotes, BOM, CRLF or LF. */

export interface CsvRow {
  /** 1-based line number where the row starts. */
  line: number;
  fields: string[];
  /** Set (single-line mode only) when a quoted field was still open at the end of the line. */
  unclosedQuote?: boolean;
}

/** parseCsv options. */
export interface CsvOptions {
  /** Rows never span lines: a quote left open at a line end closes there and the row is marked unclosedQuote (for files that never hold multi-line fields, so one stray quote cannot swallow the rows after it). */
  singleLine?: boolean;
}

/** Parse CSV text into rows (the header is row 0). Blank lines are skipped. */
export function parseCsv(text: string, options: CsvOptions = {}): CsvRow[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows: CsvRow[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let inQuotes = false;
    let endOfRow = false;
    let unclosed = false;
    while (i < n && !endOfRow) {
      const c = text[i];
      if (inQuotes && options.singleLine && (c === '\r' || c === '\n')) {
        inQuotes = false;
        unclosed = true;
        continue;
      }
      if (inQuotes) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          inQuotes = false;
          i++;
          continue;
        }
        if (c === '\n') line++;
        field += c;
        i++;
        continue;
      }
      if (c === '"' && field === '') {
        inQuotes = true;
        i++;
      } else if (c === ',') {
        fields.push(field);
        field = '';
        i++;
      } else if (c === '\r' || c === '\n') {
        if (c === '\r' && text[i + 1] === '\n') i++;
        i++;
        line++;
        endOfRow = true;
      } else {
        field += c;
        i++;
      }
    }
    fields.push(field);
    if (inQuotes && options.singleLine) unclosed = true;
    if (unclosed) rows.push({ line: startLine, fields, unclosedQuote: true });
    else if (!(fields.length === 1 && fields[0] === '')) rows.push({ line: startLine, fields });
  }
  return rows;
}

/** Quote a field for CSV output when needed (strings get csvCell's formula-injection guard). */
export function csvField(value: string | number): string {
  return csvCell(value);
}

/** One CSV cell: quoted when needed; a string starting with = + - @ tab or CR (OWASP's CSV-injection list) gets a ' prefix so a spreadsheet shows it as text. */
export function csvCell(v: string | number | boolean | undefined): string {
  if (v === undefined) return '';
  if (typeof v !== 'string') return String(v);
  let s = v;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
