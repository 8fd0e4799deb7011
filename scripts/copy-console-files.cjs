// The console's views and assets are not TypeScript: the build copies them beside the compiled console module.
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
for (const folder of ["views", "assets"]) {
  fs.cpSync(path.join(root, "src/console", folder), path.join(root, "dist/src/console", folder), { recursive: true });
}
