// A local stand-in for the Anthropic Messages API, so tests run the real
// @anthropic-ai/sdk over real HTTP. Each test opens its own session (a path
// prefix: baseURL = <server>/s/<session>), scripts the answers it wants, and
// reads back the requests the SDK sent. Runs in Node (vitest globalSetup).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted reply. `model` limits it to requests for that model; `delayMs` holds the answer (timeouts). */
export type MockStep = {
  model?: string;
  status?: number;
  headers?: Record<string, string>;
  body: unknown;
  delayMs?: number;
};

export type RecordedRequest = { path: string; headers: Record<string, string>; body: Record<string, unknown> };

type Session = { steps: MockStep[]; requests: RecordedRequest[] };

const SESSION_PATH = /^\/s\/([\w-]{1,64})(\/.*)$/;

async function readBody(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.destroyed) return;
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

const apiError = (type: string, message: string) => ({ type: 'error', error: { type, message } });

export function startAnthropicMock(): Promise<{ url: string; close(): Promise<void> }> {
  const sessions = new Map<string, Session>();
  const sessionFor = (id: string): Session => {
    let session = sessions.get(id);
    if (!session) {
      session = { steps: [], requests: [] };
      sessions.set(id, session);
    }
    return session;
  };

  const server: Server = createServer(async (request, response) => {
    const match = SESSION_PATH.exec(request.url ?? '');
    if (!match) return send(response, 404, apiError('not_found_error', 'unknown path'));
    const [, id, path] = match as unknown as [string, string, string];
    const session = sessionFor(id);
    const text = await readBody(request);

    if (path === '/__script' && request.method === 'POST') {
      session.steps.push(...(JSON.parse(text) as { steps: MockStep[] }).steps);
      return send(response, 204, null);
    }
    if (path === '/__requests' && request.method === 'GET') return send(response, 200, session.requests);
    if (path !== '/v1/messages' || request.method !== 'POST') return send(response, 404, apiError('not_found_error', path));

    const body = JSON.parse(text) as Record<string, unknown>;
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
    session.requests.push({ path, headers, body });
    const index = session.steps.findIndex((s) => s.model === undefined || s.model === body.model);
    if (index < 0) return send(response, 500, apiError('api_error', `no scripted answer left for ${String(body.model)}`), { 'x-should-retry': 'false' });
    const [step] = session.steps.splice(index, 1) as [MockStep];
    if (step.delayMs) await new Promise((resolve) => setTimeout(resolve, step.delayMs));
    send(response, step.status ?? 200, step.body, step.headers);
  });

  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
