/** One request/response helper for webview protocols: the same class runs in the host and in the webview. */

/** A request sent across the webview boundary. */
export interface RequestEnvelope<Req> { type: 'request'; id: number; request: Req }
/** The answer to a request. */
export interface ResponseEnvelope { type: 'response'; inReplyTo: number; ok: boolean; result?: unknown; error?: string }

/** Pending requests by id, settled by matching responses or a timeout. */
export class RequestReply<Req> {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly send: (msg: RequestEnvelope<Req>) => void, private readonly timeoutMs = 10_000) {}

  /** Sends a request; resolves with the reply's result, rejects on an error reply or timeout. */
  request<T>(request: Req): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no reply to request ${id} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.send({ type: 'request', id, request });
    });
  }

  /** Settles the request a response answers; false when none was waiting. */
  handleResponse(msg: ResponseEnvelope): boolean {
    const p = this.pending.get(msg.inReplyTo);
    if (!p) return false;
    this.pending.delete(msg.inReplyTo);
    clearTimeout(p.timer);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(msg.error ?? 'request failed'));
    return true;
  }

  /** Rejects everything pending (the view was closed). */
  dispose(): void {
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error('the view was closed'));
    }
    this.pending.clear();
  }
}

/** Small shared checks for validators of webview messages. */
export const isInt = (v: unknown, min = 0, max = 1_000_000_000): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
export const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isTileId = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(v);

/** Checks that an object has only the allowed keys besides 'type'. */
export function onlyKeys(m: Record<string, unknown>, ...allowed: string[]): boolean {
  return Object.keys(m).every((k) => k === 'type' || allowed.includes(k));
}

/** Validates a response envelope from a webview. */
export function checkResponse(m: Record<string, unknown>): ResponseEnvelope | string {
  if (!onlyKeys(m, 'inReplyTo', 'ok', 'result', 'error') || !isInt(m.inReplyTo) || typeof m.ok !== 'boolean') return 'response: needs inReplyTo (integer) and ok (boolean)';
  if (m.error !== undefined && typeof m.error !== 'string') return 'response: error must be a string';
  return { type: 'response', inReplyTo: m.inReplyTo, ok: m.ok, result: m.result, ...(m.error !== undefined ? { error: m.error as string } : {}) };
}
