// A local Slack + MailChannels (+ helpdesk webhook) server for the workerd tests (a miniflare auxiliary
// worker; the test worker's outbound fetch is routed here). It answers like the
// real services (Slack webhook 200 "ok", views.open {ok}, MailChannels /tx/v1/send
// results) and records every request. Tests script faults per request with
// POST https://provider-doubles.test/script {host, contains, responses:[{status, headers, body, delayMs}]}:
// the first request to `host` whose body contains `contains` gets the next scripted response.
// GET https://provider-doubles.test/requests?contains=… lists recorded requests.
// Any other host is passed through to the network untouched.
const requests = [];
const scripts = [];

const json = (value, status = 200) => new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });

function control(request, url) {
  if (request.method === 'POST' && url.pathname === '/script') {
    return request.json().then((script) => {
      scripts.push({ ...script, responses: [...script.responses] });
      return json({ ok: true });
    });
  }
  if (request.method === 'GET' && url.pathname === '/requests') {
    const contains = url.searchParams.get('contains') ?? '';
    return json(requests.filter((r) => r.body.includes(contains)));
  }
  return json({ error: 'unknown control route' }, 404);
}

function normalAnswer(request, url, body) {
  if (url.hostname === 'hooks.slack.com') return new Response('ok', { status: 200, headers: { 'content-type': 'text/plain' } });
  if (url.hostname === 'slack.com' && url.pathname === '/api/views.open') {
    if (!/^Bearer xoxb-/.test(request.headers.get('authorization') ?? '')) return json({ ok: false, error: 'not_authed' });
    return json({ ok: true, view: { id: `V${requests.length}` } });
  }
  if (url.hostname === 'api.mailchannels.net' && url.pathname === '/tx/v1/send') {
    if (!request.headers.get('x-api-key')) return json({ errors: ['Missing X-API-Key header.'] }, 401);
    const payload = JSON.parse(body);
    return json({
      request_id: `req_${requests.length}`,
      results: payload.personalizations.map((_, index) => ({ index, message_id: `<${crypto.randomUUID()}@mailchannels.test>`, status: 'sent' })),
    });
  }
  // A helpdesk's hand-off webhook receiver (HANDOFF_WEBHOOK_URL in the hand-off tests).
  if (url.hostname === 'helpdesk.test') return json({ ok: true });
  return null;
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.hostname === 'provider-doubles.test') return control(request, url);
    const body = request.method === 'GET' ? '' : await request.clone().text();
    if (!['hooks.slack.com', 'slack.com', 'api.mailchannels.net', 'helpdesk.test'].includes(url.hostname)) return fetch(request);
    requests.push({ method: request.method, url: request.url, headers: Object.fromEntries(request.headers), body, at: Date.now() });
    const script = scripts.find((s) => s.host === url.hostname && body.includes(s.contains) && s.responses.length > 0);
    const scripted = script?.responses.shift();
    if (scripted) {
      if (scripted.delayMs) await new Promise((resolve) => setTimeout(resolve, scripted.delayMs));
      return new Response(scripted.body ?? '', { status: scripted.status, headers: scripted.headers ?? {} });
    }
    return normalAnswer(request, url, body) ?? json({ error: 'not found' }, 404);
  },
};
