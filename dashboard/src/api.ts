// The public HTTP API as the page uses it: JSON reads and the live stream, with the read key when one is needed.

const KeyStorage = "dmp.dashboard.key";

/** An answer other than 2xx, with the problem details the host sends (title, detail). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly title: string, readonly detail: string) {
    super(detail ? `${title}: ${detail}` : title);
  }

  /** 401/403: the page should ask for a (different) key. */
  get needsKey(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export function storedKey(): string | null {
  return sessionStorage.getItem(KeyStorage);
}

export function storeKey(key: string | null): void {
  if (key) sessionStorage.setItem(KeyStorage, key);
  else sessionStorage.removeItem(KeyStorage);
}

function headers(accept: string): Headers {
  const h = new Headers({ Accept: accept });
  const key = storedKey();
  if (key) h.set("Authorization", `Bearer ${key}`);
  return h;
}

async function failure(response: Response): Promise<ApiError> {
  let title = response.statusText || `HTTP ${response.status}`;
  let detail = "";
  try {
    const problem = await response.json();
    if (typeof problem.title === "string") title = problem.title;
    if (typeof problem.detail === "string") detail = problem.detail;
  } catch {
    // Not problem details: the status line is all there is.
  }
  return new ApiError(response.status, title, detail);
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: headers("application/json"), signal });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new ApiError(0, "Node unreachable", `GET ${path} failed: ${(e as Error).message}`);
  }
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
}

/** One server-sent event: its name ("message" when unnamed) and its data lines joined. */
export interface StreamEvent {
  event: string;
  data: string;
}

/**
 * Splits a text/event-stream into events. Fed chunk by chunk; returns the events completed by this chunk.
 * EventSource cannot send an Authorization header, so the page reads the stream with fetch and this parser.
 */
export class EventStreamParser {
  private buffer = "";
  private event = "message";
  private data: string[] = [];

  push(chunk: string): StreamEvent[] {
    this.buffer += chunk;
    const done: StreamEvent[] = [];
    let newline: number;
    while ((newline = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, newline).replace(/\r$/, "");
      this.buffer = this.buffer.slice(newline + 1);
      if (line === "") {
        if (this.data.length > 0) done.push({ event: this.event, data: this.data.join("\n") });
        this.event = "message";
        this.data = [];
      } else if (line.startsWith("data:")) {
        this.data.push(line.slice(5).replace(/^ /, ""));
      } else if (line.startsWith("event:")) {
        this.event = line.slice(6).trim();
      }
      // Comments (":") keep the connection alive and carry nothing.
    }
    return done;
  }
}

/** Reads a server-sent event stream until it ends or `signal` aborts; throws ApiError when it cannot start. */
export async function readStream(path: string, onEvent: (e: StreamEvent) => void, signal: AbortSignal): Promise<void> {
  let response: Response;
  try {
    response = await fetch(path, { headers: headers("text/event-stream"), signal, cache: "no-store" });
  } catch (e) {
    if (signal.aborted) return;
    throw new ApiError(0, "Node unreachable", `GET ${path} failed: ${(e as Error).message}`);
  }
  if (!response.ok || !response.body) throw await failure(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new EventStreamParser();
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const e of parser.push(value)) onEvent(e);
    }
  } catch (e) {
    if (!signal.aborted) throw e;
  }
}
