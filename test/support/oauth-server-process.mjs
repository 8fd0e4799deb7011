// A real OAuth2 authorization server (oauth2-mock-server) in a process of its own: the package is ESM-only and
// Jest runs this CommonJS project's tests in a VM that cannot import ESM. Driven over IPC by oauth-server.ts.
import { OAuth2Server } from "oauth2-mock-server";

const server = new OAuth2Server();
await server.issuer.keys.generate("RS256");
// accepted: the one password (resp. client secret) accepted, null for any; failNext: answers 503 that many times.
const state = { ttl: 300, accepted: null, failNext: 0, requests: [] };

const credentialOf = (req) => {
  const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "");
  const [clientId, clientSecret] = basic
    ? Buffer.from(basic[1], "base64").toString().split(":").map(decodeURIComponent)
    : [req.body.client_id, req.body.client_secret];
  return {
    clientId,
    clientSecret,
    grant: req.body.grant_type,
    username: req.body.username,
    password: req.body.password,
  };
};

server.service.on("beforeTokenSigning", (token) => {
  token.payload.exp = token.payload.iat + state.ttl;
});
server.service.on("beforeResponse", (response, req) => {
  const credential = credentialOf(req);
  // Only what tests assert on: never the password or the secret themselves.
  state.requests.push({
    grant: credential.grant,
    clientId: credential.clientId,
    username: credential.username ?? null,
    scope: req.body.scope ?? null,
  });
  if (state.failNext > 0) {
    state.failNext--;
    response.statusCode = 503;
    response.body = { error: "temporarily_unavailable" };
    return;
  }
  const presented = credential.grant === "password" ? credential.password : credential.clientSecret;
  if (state.accepted !== null && presented !== state.accepted) {
    response.statusCode = 400;
    response.body = {
      error: credential.grant === "password" ? "invalid_grant" : "invalid_client",
      error_description: "bad credentials",
    };
    return;
  }
  response.body.expires_in = state.ttl;
});

await server.start(0, "127.0.0.1");
process.on("message", (command) => {
  if (command.set) Object.assign(state, command.set);
  if (command.stop) return void server.stop().then(() => process.exit(0));
  process.send({ id: command.id, requests: state.requests, jwks: server.issuer.keys.toJSON() });
});
process.send({ ready: true, url: server.issuer.url });
