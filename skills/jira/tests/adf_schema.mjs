// The ADF validator shared by the Jira tests: Atlassian's own JSON Schema
// for ADF (@atlaskit/adf-schema, json-schema/v1/full.json, draft-04),
// compiled with ajv-draft-04.
import { createRequire } from "node:module";
import path from "node:path";

export function adfValidator(nodeModules) {
  const require = createRequire(path.join(nodeModules, "noop.js"));
  const Ajv = require("ajv-draft-04");
  const schema = require("@atlaskit/adf-schema/json-schema/v1/full.json");
  const ajv = new Ajv({ allErrors: false, strict: false });
  const validate = ajv.compile(schema);
  return (doc) => {
    if (validate(doc)) return null;
    return ajv.errorsText(validate.errors);
  };
}
