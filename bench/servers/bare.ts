// (a) The upper bound for any Express service doing this work here: helmet, express.json reading and parsing
// the same bodies, and a 204. No token check, no validation, no storage.
import express from "express";
import helmet from "helmet";

const app = express();
app.disable("x-powered-by");
app.get("/health/ready", (_req, res) => {
  res.json({ status: "ok" });
});
app.use(helmet());
app.use(express.json({ limit: "5mb" }));
app.post("/dh7/*path", (_req, res) => {
  res.status(204).end();
});
app.listen(Number(process.env.PORT), "127.0.0.1");
process.once("SIGTERM", () => process.exit(0)); // a clean exit, so --cpu-prof can write its profile
