/** JSON.parse keeps the last of two equal keys without a word; this parser refuses them, and anything else that
 *  is not JSON. It checks structure and returns JSON.parse's value once the text passed. */
export function parseStrictJson(text: string): unknown {
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at ${at} in ${text.slice(0, 200)}`);
  };
  const space = () => {
    while (/[ \t\n\r]/.test(text[at] ?? "")) at++;
  };
  const string = (): string => {
    const match = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/.exec(text.slice(at));
    if (!match) fail("bad string");
    at += match![0].length;
    return JSON.parse(match![0]) as string;
  };
  const value = (): void => {
    space();
    const char = text[at];
    if (char === "{") {
      at++;
      const keys = new Set<string>();
      space();
      if (text[at] === "}") return void at++;
      for (;;) {
        space();
        const key = string();
        if (keys.has(key)) fail(`repeated key "${key}"`);
        keys.add(key);
        space();
        if (text[at++] !== ":") fail("expected :");
        value();
        space();
        const next = text[at++];
        if (next === "}") return;
        if (next !== ",") fail("expected , or }");
      }
    }
    if (char === "[") {
      at++;
      space();
      if (text[at] === "]") return void at++;
      for (;;) {
        value();
        space();
        const next = text[at++];
        if (next === "]") return;
        if (next !== ",") fail("expected , or ]");
      }
    }
    if (char === '"') return void string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(at));
    if (!literal) fail("unexpected character");
    at += literal![0].length;
  };
  value();
  space();
  if (at !== text.length) fail("text after the value");
  return JSON.parse(text);
}
