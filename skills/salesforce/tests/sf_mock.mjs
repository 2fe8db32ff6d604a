// A stateful Salesforce org (REST API and OAuth token endpoint) for the
// skill's tests. There is no official static OpenAPI document for
// Salesforce, so this mock follows the documented behaviour, and the real
// jsforce client (test_sf_jsforce.mjs) checks that it behaves as
// Salesforce does: OAuth client credentials and refresh tokens (rotation
// optional), sessions that expire (401 INVALID_SESSION_ID), SOQL with
// query locators (nextRecordsUrl) and Sforce-Query-Options batch sizes,
// sobject create/get/update/delete/upsert with Salesforce's error array,
// describe, the object list, composite (allOrNone rollback, @{ref.id}),
// and limits. Faults (429, 403 REQUEST_LIMIT_EXCEEDED, 500, HTML) are
// injected per request and change nothing.
import crypto from "node:crypto";
import http from "node:http";
import { takeFault } from "../../common/tests/harness.mjs";

const VERSIONS = ["59.0", "60.0", "61.0", "62.0", "63.0", "64.0"];
const ORG = "00D5g000004ABCDEAA";
const USER = "0055g00000AbCdEAAZ";

// [name, type, extra]; Id and the audit fields come with every object.
const OBJECTS = {
  Account: { prefix: "001", label: "Account", fields: [
    ["Name", "string", { required: true, length: 255 }],
    ["Industry", "picklist", { values: ["Agriculture", "Banking", "Energy", "Technology"] }],
    ["Type", "picklist", { values: ["Customer", "Partner", "Prospect"], restricted: true }],
    ["AnnualRevenue", "currency", {}],
    ["Phone", "phone", { length: 40 }],
    ["ERP_Id__c", "string", { externalId: true, unique: true, custom: true, length: 40 }],
  ], children: [["Contacts", "Contact", "AccountId"], ["Opportunities", "Opportunity", "AccountId"]] },
  Contact: { prefix: "003", label: "Contact", fields: [
    ["LastName", "string", { required: true, length: 80 }],
    ["FirstName", "string", { length: 40 }],
    ["Email", "email", { length: 80 }],
    ["AccountId", "reference", { to: "Account", rel: "Account" }],
  ], children: [] },
  Opportunity: { prefix: "006", label: "Opportunity", fields: [
    ["Name", "string", { required: true, length: 120 }],
    ["StageName", "picklist", { required: true, values: ["Prospecting", "Negotiation", "Closed Won", "Closed Lost"] }],
    ["CloseDate", "date", { required: true }],
    ["Amount", "currency", {}],
    ["AccountId", "reference", { to: "Account", rel: "Account" }],
  ], children: [] },
  Invoice__c: { prefix: "a01", label: "Invoice", custom: true, fields: [
    ["Name", "string", { length: 80 }],
    ["Amount__c", "currency", { custom: true }],
    ["Status__c", "picklist", { values: ["Draft", "Sent", "Paid"], custom: true }],
    ["Account__c", "reference", { to: "Account", rel: "Account__r", custom: true }],
  ], children: [] },
};
const OTHER_OBJECTS = ["Lead", "Case", "User", "Task", "Event", "Campaign", "Product2",
  "Pricebook2", "Contract", "Order", "Asset", "Solution", "Shipment__c"];

// Invocable actions: a standard one and a flow (autolaunched).
const ACTIONS = [
  { kind: "standard", type: "standard", name: "chatterPost", label: "Post to Chatter", required: ["text", "subjectNameOrId"],
    run: (i) => ({ feedItemId: `0D5${crypto.randomBytes(6).toString("hex").slice(0, 12)}AAA` }) },
  { kind: "custom/flow", type: "flow", name: "Score_Lead", label: "Score Lead", required: ["Email"],
    run: (i) => ({ Score: String(i.Email).endsWith(".com") ? 80 : 20 }) },
];

const sfError = (errorCode, message, fields) =>
  [{ message, errorCode, ...(fields ? { fields } : {}) }];

class HttpError extends Error {
  constructor(status, body, headers = {}) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}
const fail = (status, code, message, fields) => new HttpError(status, sfError(code, message, fields));

function fieldsOf(obj) {
  const o = OBJECTS[obj];
  return [["Id", "id", { system: true }], ...o.fields,
    ["CreatedDate", "datetime", { system: true }], ["LastModifiedDate", "datetime", { system: true }],
    ["IsDeleted", "boolean", { system: true }]];
}
const fieldMap = (obj) => new Map(fieldsOf(obj).map((f) => [f[0].toLowerCase(), f]));

// ---- SOQL (the subset integrations use) ----

function parseSoql(q) {
  const toks = [];
  const re = /\s*(?:('(?:[^'\\]|\\.)*')|(!=|<=|>=|=|<|>|\(|\)|,)|([A-Za-z0-9_.:\-]+))/y;
  let m;
  while (re.lastIndex < q.length) {
    if (/^\s*$/.test(q.slice(re.lastIndex))) break;
    const at = re.lastIndex;
    if (!(m = re.exec(q)))
      throw fail(400, "MALFORMED_QUERY", `\nERROR at Row:1:Column:${at + 1}\nunexpected token: '${q[at]}'`);
    toks.push(m[1] ? { s: m[1].slice(1, -1).replace(/\\(.)/g, "$1") } : { w: m[2] || m[3] });
  }
  let i = 0;
  const kw = (k) => toks[i]?.w?.toUpperCase() === k;
  const expect = (k) => {
    if (!kw(k)) throw fail(400, "MALFORMED_QUERY", `\nERROR at Row:1:Column:1\nunexpected token: '${toks[i]?.w ?? toks[i]?.s ?? "<EOF>"}'`);
    i++;
  };
  expect("SELECT");
  const fields = [];
  let count = false;
  do {
    if (toks[i]?.w === ",") i++;
    const f = toks[i++]?.w;
    if (!f) throw fail(400, "MALFORMED_QUERY", "unexpected end of query");
    if (f.toUpperCase() === "COUNT" && toks[i]?.w === "(" && toks[i + 1]?.w === ")") { i += 2; count = true; continue; }
    fields.push(f);
  } while (toks[i]?.w === ",");
  expect("FROM");
  const obj = toks[i++]?.w;
  const where = [];
  let order = null, limit = null, offset = 0;
  if (kw("WHERE")) {
    i++;
    do {
      if (kw("AND")) i++;
      const f = toks[i++]?.w, op = toks[i++]?.w?.toUpperCase();
      let v;
      if (op === "IN") {
        if (toks[i++]?.w !== "(") throw fail(400, "MALFORMED_QUERY", "expecting '('");
        v = [];
        while (toks[i] && toks[i].w !== ")") { v.push(toks[i].s ?? toks[i].w); i++; if (toks[i]?.w === ",") i++; }
        i++;
      } else {
        const t = toks[i++];
        if (!t) throw fail(400, "MALFORMED_QUERY", "unexpected end of query");
        v = t.s ?? (t.w.toLowerCase() === "null" ? null : t.w.toLowerCase() === "true" ? true :
          t.w.toLowerCase() === "false" ? false : isNaN(Number(t.w)) ? t.w : Number(t.w));
      }
      if (!["=", "!=", "<", ">", "<=", ">=", "LIKE", "IN"].includes(op))
        throw fail(400, "MALFORMED_QUERY", `\nERROR at Row:1:Column:1\nunexpected token: '${op}'`);
      where.push({ f, op, v });
    } while (kw("AND"));
  }
  if (kw("ORDER")) {
    i++;
    expect("BY");
    order = { f: toks[i++].w, desc: false };
    if (kw("ASC") || kw("DESC")) order.desc = toks[i++].w.toUpperCase() === "DESC";
  }
  if (kw("LIMIT")) { i++; limit = Number(toks[i++].w); }
  if (kw("OFFSET")) { i++; offset = Number(toks[i++].w); }
  if (i < toks.length)
    throw fail(400, "MALFORMED_QUERY", `\nERROR at Row:1:Column:1\nunexpected token: '${toks[i].w ?? toks[i].s}'`);
  return { fields, count, obj, where, order, limit, offset };
}

export function createOrg({ clientId, clientSecret, refreshToken, rotate = false, jwt = null, webServer = false } = {}) {
  const st = {
    jobs: new Map(), files: new Map(), bulkPolls: 2,
    base: "",
    oauth: { clientId, clientSecret, refreshTokens: new Set(refreshToken ? [refreshToken] : []), rotate, jwt,
      codes: webServer ? new Map() : null },
    tokens: new Map(),   // access token -> { valid }
    records: new Map(),  // Id -> { type, fields, deleted }
    cursors: new Map(),
    faults: [],
    received: [],
    tokenRequests: [],
    apiUsage: 18,
    seq: 1,
  };
  const newId = (obj) => {
    const n = (st.seq++).toString(36).toUpperCase().padStart(9, "0");
    return `${OBJECTS[obj].prefix}5g${n}AAA`.slice(0, 15) + "IAV";
  };
  const now = () => new Date(Date.UTC(2026, 0, 1) + st.seq * 1000).toISOString().replace("Z", "+0000");
  function insert(obj, fields) {
    const id = newId(obj);
    st.records.set(id, { type: obj, fields: { Id: id, ...fields, CreatedDate: now(), LastModifiedDate: now(), IsDeleted: false } });
    return id;
  }
  for (let i = 1; i <= 4200; i++)
    insert("Account", { Name: `Account ${String(i).padStart(4, "0")}`,
      Industry: ["Agriculture", "Banking", "Energy", "Technology"][i % 4],
      Type: i % 3 ? "Customer" : "Prospect", AnnualRevenue: i * 1000, Phone: null,
      ERP_Id__c: `ERP-${String(i).padStart(4, "0")}` });
  const first = [...st.records.keys()][0];
  insert("Contact", { LastName: "Lovelace", FirstName: "Ada", Email: "ada@example.com", AccountId: first });
  insert("Contact", { LastName: "Hopper", FirstName: "Grace", Email: null, AccountId: first });
  // Two accounts share an external id: an upsert by it is ambiguous (300).
  insert("Account", { Name: "Twin A", ERP_Id__c: "ERP-TWIN" });
  insert("Account", { Name: "Twin B", ERP_Id__c: "ERP-TWIN" });

  const find = (id) => {
    if (!/^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/.test(id)) return null;
    return [...st.records.values()].find((r) => r.fields.Id.slice(0, 15) === id.slice(0, 15)) ?? null;
  };
  const recordUrl = (v, obj, id) => `/services/data/v${v}/sobjects/${obj}/${id}`;
  const shape = (v, r, names) => {
    const out = { attributes: { type: r.type, url: recordUrl(v, r.type, r.fields.Id) } };
    for (const n of names) {
      if (n.includes(".")) {
        const [rel, f] = n.split(".");
        const ref = fieldsOf(r.type).find((x) => x[2].rel === rel);
        const parent = ref && r.fields[ref[0]] ? find(r.fields[ref[0]]) : null;
        out[rel] = parent ? { attributes: { type: parent.type, url: recordUrl(v, parent.type, parent.fields.Id) },
          [f]: parent.fields[f] ?? null } : null;
        continue;
      }
      out[n] = r.fields[n] ?? null;
    }
    return out;
  };

  // Field values the client sends: Salesforce's checks, in its words.
  function checkValues(obj, values, creating, exceptField, selfId) {
    const fm = fieldMap(obj);
    const out = {};
    for (const [k, v] of Object.entries(values ?? {})) {
      const f = fm.get(k.toLowerCase());
      if (!f) throw fail(400, "INVALID_FIELD", `No such column '${k}' on sobject of type ${obj}`);
      if (f[2].system || (exceptField && f[0] === exceptField))
        throw fail(400, "INVALID_FIELD_FOR_INSERT_UPDATE", `Unable to create/update fields: ${f[0]}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`, [f[0]]);
      if (f[1] === "picklist" && f[2].restricted && v !== null && !f[2].values.includes(v))
        throw fail(400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", `${OBJECTS[obj].label} ${f[0]}: bad value for restricted picklist field: ${v}`, [f[0]]);
      if (f[1] === "reference" && v !== null) {
        const t = find(String(v));
        if (!t || t.type !== f[2].to) throw fail(400, "INVALID_CROSS_REFERENCE_KEY", `invalid cross reference id`, [f[0]]);
      }
      if ((f[1] === "currency") && v !== null && typeof v !== "number")
        throw fail(400, "JSON_PARSER_ERROR", `Cannot deserialize instance of currency from VALUE_STRING value ${v} or request may be missing a required field`);
      if (f[1] === "date" && v !== null && !/^\d{4}-\d{2}-\d{2}$/.test(v))
        throw fail(400, "JSON_PARSER_ERROR", `Cannot deserialize instance of date from VALUE_STRING value ${v} or request may be missing a required field`);
      if (f[2].length && typeof v === "string" && v.length > f[2].length)
        throw fail(400, "STRING_TOO_LONG", `${f[0]}: data value too large: ${v.slice(0, 40)} (max length=${f[2].length})`, [f[0]]);
      out[f[0]] = v;
    }
    if (creating) {
      const missing = fieldsOf(obj).filter((f) => f[2].required && (out[f[0]] === undefined || out[f[0]] === null)).map((f) => f[0]);
      if (missing.length)
        throw fail(400, "REQUIRED_FIELD_MISSING", `Required fields are missing: [${missing.join(", ")}]`, missing);
    }
    for (const f of fieldsOf(obj).filter((x) => x[2].unique)) {
      const v = out[f[0]];
      if (v === undefined || v === null) continue;
      const dup = [...st.records.values()].find((r) => r.type === obj && !r.deleted && r.fields[f[0]] === v &&
        r.fields.Id !== selfId);
      if (dup && dup.fields[f[0]] !== "ERP-TWIN")
        throw fail(400, "DUPLICATE_VALUE", `duplicate value found: ${f[0]} duplicates value on record with id: ${dup.fields.Id}`, [f[0]]);
    }
    return out;
  }
  const objectOr404 = (obj) => {
    if (!OBJECTS[obj]) throw fail(404, "NOT_FOUND", "The requested resource does not exist");
    return obj;
  };
  const live = (obj, id) => {
    const r = find(id);
    if (!r || r.type !== obj) throw fail(404, "NOT_FOUND", "The requested resource does not exist");
    if (r.deleted) throw fail(404, "ENTITY_IS_DELETED", "entity is deleted");
    return r;
  };

  function runQuery(v, q, all, batch) {
    const p = parseSoql(q);
    if (!OBJECTS[p.obj])
      throw fail(400, "INVALID_TYPE", `\n${q.slice(0, 60)}\n^\nERROR at Row:1:Column:1\nsObject type '${p.obj}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`);
    const fm = fieldMap(p.obj);
    for (const f of [...p.fields, ...p.where.map((w) => w.f), ...(p.order ? [p.order.f] : [])]) {
      const ok = f.includes(".") ? fieldsOf(p.obj).some((x) => x[2].rel === f.split(".")[0]) : fm.has(f.toLowerCase());
      if (!ok)
        throw fail(400, "INVALID_FIELD", `\nSELECT ${p.fields.join(", ")}\n^\nERROR at Row:1:Column:8\nNo such column '${f}' on entity '${p.obj}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`);
    }
    const canon = (f) => f.includes(".") ? f : fm.get(f.toLowerCase())[0];
    let rows = [...st.records.values()].filter((r) => r.type === p.obj && (all || !r.deleted));
    for (const w of p.where) {
      const f = canon(w.f);
      const like = (s) => new RegExp("^" + String(w.v).replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%/g, ".*").replace(/_/g, ".") + "$", "i").test(s ?? "");
      rows = rows.filter((r) => {
        const x = r.fields[f];
        switch (w.op) {
        case "=": return x === w.v || (typeof x === "string" && typeof w.v === "string" && x.toLowerCase() === w.v.toLowerCase());
        case "!=": return x !== w.v;
        case "<": return x < w.v;
        case ">": return x > w.v;
        case "<=": return x <= w.v;
        case ">=": return x >= w.v;
        case "LIKE": return like(x);
        default: return w.v.includes(x);
        }
      });
    }
    if (p.order) {
      const f = canon(p.order.f);
      rows.sort((a, b) => (a.fields[f] < b.fields[f] ? -1 : a.fields[f] > b.fields[f] ? 1 : 0) * (p.order.desc ? -1 : 1));
    }
    rows = rows.slice(p.offset, p.limit === null ? undefined : p.offset + p.limit);
    if (p.count) return { totalSize: rows.length, done: true, records: [] };
    const shaped = rows.map((r) => shape(v, r, p.fields.map(canon)));
    return page(v, { rows: shaped, pos: 0, batch }, all);
  }
  function page(v, cur, all) {
    const out = cur.rows.slice(cur.pos, cur.pos + cur.batch);
    cur.pos += out.length;
    const res = { totalSize: cur.rows.length, done: cur.pos >= cur.rows.length, records: out };
    if (!res.done) {
      const id = `01g5g00000${crypto.randomBytes(4).toString("hex").toUpperCase()}`;
      st.cursors.set(id, cur);
      res.nextRecordsUrl = `/services/data/v${v}/${all ? "queryAll" : "query"}/${id}-${cur.pos}`;
    }
    return res;
  }

  function describe(v, obj) {
    const o = OBJECTS[obj];
    return {
      name: obj, label: o.label, labelPlural: `${o.label}s`, keyPrefix: o.prefix, custom: !!o.custom,
      createable: true, updateable: true, deletable: true, queryable: true, searchable: true,
      fields: fieldsOf(obj).map(([name, type, x]) => ({
        name, label: name.replace(/__c$/, "").replace(/_/g, " "), type: type === "id" ? "id" : type,
        length: x.length ?? 0, precision: type === "currency" ? 18 : 0, scale: type === "currency" ? 2 : 0,
        nillable: !x.required && !x.system, createable: !x.system, updateable: !x.system,
        unique: !!x.unique, externalId: !!x.externalId, calculated: false, custom: !!x.custom,
        defaultedOnCreate: !!x.system, referenceTo: x.to ? [x.to] : [], relationshipName: x.rel ?? null,
        inlineHelpText: null,
        picklistValues: (x.values ?? []).map((val, i) => ({ value: val, label: val, active: true, defaultValue: i === 0 && name === "StageName" })),
      })),
      childRelationships: o.children.map(([rel, child, field]) => ({ relationshipName: rel, childSObject: child, field, cascadeDelete: false })),
      urls: { sobject: `/services/data/v${v}/sobjects/${obj}` },
    };
  }

  // ---- routes (under /services/data/vXX.X) ----

  // ---- Bulk API 2.0: query and ingest jobs. A job moves on one state
  // per poll once uploaded (UploadComplete -> InProgress -> JobComplete),
  // so a client sees it in progress; results are CSV, all fields quoted. ----
  const csvCell = (x) => (x === null || x === undefined ? "" : `"${String(x).replace(/"/g, '""')}"`);
  function parseCsv(text) {
    const rows = [];
    let row = [], cell = "", q = false, i = 0, any = false;
    for (; i < text.length; i++) {
      const ch = text[i];
      if (q) {
        if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') q = false; else cell += ch;
      } else if (ch === '"') { q = true; any = true; } else if (ch === ",") { row.push(cell); cell = ""; any = true; } else if (ch === "\n" || ch === "\r") {
        if (ch === "\r" && text[i + 1] === "\n") i++;
        row.push(cell); rows.push(row); row = []; cell = ""; any = false;
      } else { cell += ch; any = true; }
    }
    if (q) return null;
    if (any || cell) { row.push(cell); rows.push(row); }
    return rows;
  }
  function jobInfo(j) {
    const base = { id: j.id, operation: j.operation, object: j.object, createdById: USER, createdDate: j.created,
      systemModstamp: j.created, state: j.state, concurrencyMode: "Parallel", contentType: "CSV", apiVersion: Number(j.v),
      lineEnding: "LF", columnDelimiter: "COMMA" };
    if (j.kind === "query") return { ...base, numberRecordsProcessed: j.state === "JobComplete" ? j.rows.length : 0, retries: 0, totalProcessingTime: 5 };
    return { ...base, ...(j.externalIdFieldName ? { externalIdFieldName: j.externalIdFieldName } : {}), jobType: "V2Ingest",
      numberRecordsProcessed: j.state === "JobComplete" ? j.results.length : 0,
      numberRecordsFailed: j.state === "JobComplete" ? j.results.filter((r) => r.error).length : 0, retries: 0, totalProcessingTime: 5 };
  }
  function advance(j) {
    if (j.state === "UploadComplete") j.state = "InProgress";
    else if (j.state === "InProgress" && ++j.polls >= st.bulkPolls) { j.state = "JobComplete"; j.run(); }
  }
  function bulk(v, method, path, query, body, headers, raw) {
    let m;
    if (path === "/jobs/query" && method === "POST") {
      if (!["query", "queryAll"].includes(body?.operation)) throw fail(400, "INVALIDJOB", "InvalidJob : Invalid operation");
      const p = parseSoql(body.query ?? "");
      if (!OBJECTS[p.obj]) throw fail(400, "INVALIDJOB", `InvalidJob : sObject type '${p.obj}' is not supported.`);
      const j = { id: `750${crypto.randomBytes(6).toString("hex").slice(0, 12)}AAA`, kind: "query", v, operation: body.operation,
        object: p.obj, created: now(), state: "UploadComplete", polls: 0, rows: [], cols: p.fields };
      j.run = () => {
        const res = runQuery(v, body.query, body.operation === "queryAll", 1e9);
        j.rows = res.records.map((r) => j.cols.map((c) => c.split(".").reduce((o, k) => o?.[Object.keys(o ?? {}).find((x) => x.toLowerCase() === k.toLowerCase())], r)));
      };
      st.jobs.set(j.id, j);
      return [200, jobInfo(j)];
    }
    if ((m = path.match(/^\/jobs\/(query|ingest)\/(750[A-Za-z0-9]+)$/)) && method === "GET") {
      const j = st.jobs.get(m[2]);
      if (!j || j.kind !== m[1]) throw fail(404, "NOT_FOUND", "The requested resource does not exist");
      const info = jobInfo(j);
      advance(j);
      return [200, info];
    }
    if ((m = path.match(/^\/jobs\/query\/(750[A-Za-z0-9]+)\/results$/)) && method === "GET") {
      const j = st.jobs.get(m[1]);
      if (!j || j.kind !== "query") throw fail(404, "NOT_FOUND", "The requested resource does not exist");
      if (j.state !== "JobComplete") throw fail(400, "INVALIDJOBSTATE", "Job is not in a state where results can be retrieved");
      const start = Number(query.get("locator") ? Buffer.from(query.get("locator"), "base64").toString() : 0);
      const max = Math.min(Number(query.get("maxRecords") ?? 50000), 50000);
      const rows = j.rows.slice(start, start + max);
      const next = start + rows.length < j.rows.length ? Buffer.from(String(start + rows.length)).toString("base64") : "null";
      const text = [j.cols.map(csvCell).join(","), ...rows.map((r) => r.map(csvCell).join(","))].join("\n") + "\n";
      return [200, { csv: text }, { "sforce-locator": next, "sforce-numberofrecords": String(rows.length) }];
    }
    if (path === "/jobs/ingest" && method === "POST") {
      const ops = ["insert", "update", "upsert", "delete", "hardDelete"];
      if (!ops.includes(body?.operation)) throw fail(400, "INVALIDJOB", "InvalidJob : Invalid operation");
      const obj = objectOr400(body.object);
      if (body.operation === "upsert" && !body.externalIdFieldName) throw fail(400, "INVALIDJOB", "InvalidJob : External ID was blank for Account. An External ID must be specified for upsert.");
      const j = { id: `750${crypto.randomBytes(6).toString("hex").slice(0, 12)}AAA`, kind: "ingest", v, operation: body.operation,
        object: obj, externalIdFieldName: body.externalIdFieldName, created: now(), state: "Open", polls: 0, csv: "", results: [] };
      j.run = () => {
        const rows = parseCsv(j.csv) ?? [];
        const [head, ...data] = rows;
        j.head = head ?? [];
        for (const cells of data) {
          // Bulk CSV: an empty cell leaves a field alone, #N/A sets it
          // to null.
          const rec = Object.fromEntries(j.head.map((h, i) => [h, cells[i] === "#N/A" ? null : cells[i]])
            .filter(([, x]) => x !== "" && x !== undefined));
          try {
            const typed = Object.fromEntries(Object.entries(rec).map(([k, x]) => {
              const f = fieldMap(obj).get(k.toLowerCase());
              return [k, f && f[1] === "currency" && x !== null ? Number(x) : x];
            }));
            let id, created = false;
            if (j.operation === "insert") { id = insert(obj, checkValues(obj, typed, true)); created = true; }
            else if (j.operation === "delete" || j.operation === "hardDelete") { const r = live(obj, typed.Id); r.deleted = true; r.fields.IsDeleted = true; id = typed.Id; }
            else if (j.operation === "update") { const { Id, ...rest } = typed; const r = live(obj, Id); Object.assign(r.fields, checkValues(obj, rest, false, null, Id)); id = Id; }
            else {
              const f = j.externalIdFieldName;
              const hit = [...st.records.values()].find((r) => r.type === obj && !r.deleted && String(r.fields[f]) === String(typed[f]));
              if (hit) { const { [f]: _, ...rest } = typed; Object.assign(hit.fields, checkValues(obj, rest, false, f, hit.fields.Id)); id = hit.fields.Id; }
              else { id = insert(obj, checkValues(obj, typed, true)); created = true; }
            }
            j.results.push({ cells, id, created });
          } catch (e) {
            if (!(e instanceof HttpError)) throw e;
            const [err] = e.body;
            j.results.push({ cells, error: `${err.errorCode}:${err.message}${err.fields ? ":" + err.fields.join(";") : ""} --` });
          }
        }
      };
      st.jobs.set(j.id, j);
      return [200, jobInfo(j)];
    }
    if ((m = path.match(/^\/jobs\/ingest\/(750[A-Za-z0-9]+)\/batches$/)) && method === "PUT") {
      const j = st.jobs.get(m[1]);
      if (!j || j.kind !== "ingest") throw fail(404, "NOT_FOUND", "The requested resource does not exist");
      if (j.state !== "Open") throw fail(409, "INVALIDJOBSTATE", "Job is not open for data upload");
      if (!/^text\/csv/i.test(headers["content-type"] ?? "")) throw fail(400, "INVALIDJOB", "Content-Type must be text/csv");
      if (parseCsv(raw) === null) throw fail(400, "INVALIDBATCH", "Unable to parse CSV: unterminated quote");
      j.csv += j.csv ? raw.replace(/^[^\n]*\n/, "") : raw;
      return [201, null];
    }
    if ((m = path.match(/^\/jobs\/ingest\/(750[A-Za-z0-9]+)$/)) && method === "PATCH") {
      const j = st.jobs.get(m[1]);
      if (!j || j.kind !== "ingest") throw fail(404, "NOT_FOUND", "The requested resource does not exist");
      if (body?.state === "UploadComplete" && j.state === "Open") j.state = "UploadComplete";
      else if (body?.state === "Aborted") j.state = "Aborted";
      else throw fail(400, "INVALIDJOBSTATE", `Cannot change the job's state from ${j.state} to ${body?.state}`);
      return [200, jobInfo(j)];
    }
    if ((m = path.match(/^\/jobs\/ingest\/(750[A-Za-z0-9]+)\/(successfulResults|failedResults|unprocessedrecords)$/)) && method === "GET") {
      const j = st.jobs.get(m[1]);
      if (!j || j.kind !== "ingest") throw fail(404, "NOT_FOUND", "The requested resource does not exist");
      if (j.state !== "JobComplete") throw fail(400, "INVALIDJOBSTATE", "Job is not complete");
      const head = j.head ?? [];
      let text;
      if (m[2] === "successfulResults")
        text = [['"sf__Id"', '"sf__Created"', ...head.map(csvCell)].join(","), ...j.results.filter((r) => !r.error).map((r) => [csvCell(r.id), csvCell(String(r.created)), ...r.cells.map(csvCell)].join(","))];
      else if (m[2] === "failedResults")
        text = [['"sf__Id"', '"sf__Error"', ...head.map(csvCell)].join(","), ...j.results.filter((r) => r.error).map((r) => ['""', csvCell(r.error), ...r.cells.map(csvCell)].join(","))];
      else text = [head.map(csvCell).join(",")];
      return [200, { csv: text.join("\n") + "\n" }];
    }
    return null;
  }

  // ---- ContentVersion: files, with VersionData as base64 in JSON (the
  // documented "insert blob data" form) and read back as bytes ----
  function contentVersion(v, method, path, body) {
    let m;
    if (path === "/sobjects/ContentVersion" && method === "POST") {
      const missing = ["Title", "PathOnClient", "VersionData"].filter((k) => !body?.[k]);
      if (missing.length) throw fail(400, "REQUIRED_FIELD_MISSING", `Required fields are missing: [${missing.join(", ")}]`, missing);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body.VersionData)) throw fail(400, "JSON_PARSER_ERROR", "Cannot deserialize instance of base64 from VALUE_STRING");
      const loc = body.FirstPublishLocationId;
      if (loc && !find(loc)) throw fail(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ["FirstPublishLocationId"]);
      const id = `068${crypto.randomBytes(6).toString("hex").slice(0, 12)}AAA`;
      const data = Buffer.from(body.VersionData, "base64");
      const ext = /\.([A-Za-z0-9]+)$/.exec(body.PathOnClient)?.[1]?.toLowerCase() ?? "";
      st.files.set(id, { Id: id, Title: body.Title, PathOnClient: body.PathOnClient, ContentSize: data.length, FileExtension: ext,
        FileType: ext.toUpperCase() || "UNKNOWN", ContentDocumentId: `069${id.slice(3)}`, VersionNumber: "1", IsLatest: true,
        FirstPublishLocationId: loc ?? USER, data });
      return [201, { id, success: true, errors: [] }];
    }
    if ((m = path.match(/^\/sobjects\/ContentDocument\/(069[A-Za-z0-9]+)$/)) && method === "GET") {
      const f = [...st.files.values()].find((x) => x.ContentDocumentId === m[1] && x.IsLatest);
      if (!f) throw fail(404, "NOT_FOUND", "The requested resource does not exist");
      return [200, { attributes: { type: "ContentDocument", url: `/services/data/v${v}/sobjects/ContentDocument/${m[1]}` },
        Id: m[1], Title: f.Title, LatestPublishedVersionId: f.Id }];
    }
    if ((m = path.match(/^\/sobjects\/ContentVersion\/([A-Za-z0-9]+)(\/VersionData)?$/)) && method === "GET") {
      const f = st.files.get(m[1]);
      if (!f) throw fail(404, "NOT_FOUND", "The requested resource does not exist");
      if (m[2]) return [200, { bytes: f.data }];
      const { data, ...fields } = f;
      return [200, { attributes: { type: "ContentVersion", url: `/services/data/v${v}/sobjects/ContentVersion/${f.Id}` }, ...fields,
        VersionData: `/services/data/v${v}/sobjects/ContentVersion/${f.Id}/VersionData` }];
    }
    return null;
  }

  function api(v, method, path, query, body, headers, raw) {
    let m;
    if (path.startsWith("/jobs/")) {
      const r = bulk(v, method, path, query, body, headers, raw);
      if (r) return r;
    }
    if (path.startsWith("/sobjects/Content")) {
      const r = contentVersion(v, method, path, body);
      if (r) return r;
    }
    if (path === "/limits" && method === "GET")
      return [200, { DailyApiRequests: { Max: 15000, Remaining: 15000 - st.apiUsage },
        DataStorageMB: { Max: 5, Remaining: 3 }, SingleEmail: { Max: 15, Remaining: 15 } }];
    if (path === "/sobjects" && method === "GET")
      return [200, { encoding: "UTF-8", maxBatchSize: 200, sobjects: [...Object.keys(OBJECTS), ...OTHER_OBJECTS].map((name) => ({
        name, label: OBJECTS[name]?.label ?? name.replace(/__c$/, ""), custom: name.endsWith("__c"),
        keyPrefix: OBJECTS[name]?.prefix ?? null, queryable: true, createable: name !== "User",
        updateable: true, deletable: true, urls: { sobject: `/services/data/v${v}/sobjects/${name}` } })) }];
    if ((m = path.match(/^\/sobjects\/([^/]+)\/describe$/)) && method === "GET")
      return [200, describe(v, objectOr404(m[1]))];
    if ((m = path.match(/^\/sobjects\/([^/]+)$/)) && method === "POST") {
      const obj = objectOr404(m[1]);
      const id = insert(obj, checkValues(obj, body, true));
      return [201, { id, success: true, errors: [] }, { Location: recordUrl(v, obj, id) }];
    }
    if ((m = path.match(/^\/sobjects\/([^/]+)\/([^/]+)$/))) {
      const obj = objectOr404(m[1]);
      const id = decodeURIComponent(m[2]);
      if (method === "GET") {
        const r = live(obj, id);
        const names = query.get("fields") ? query.get("fields").split(",") : fieldsOf(obj).map((f) => f[0]);
        const fm = fieldMap(obj);
        for (const n of names)
          if (!fm.has(n.toLowerCase())) throw fail(400, "INVALID_FIELD", `No such column '${n}' on sobject of type ${obj}`);
        return [200, shape(v, r, names.map((n) => fm.get(n.toLowerCase())[0]))];
      }
      if (method === "PATCH") {
        const r = live(obj, id);
        Object.assign(r.fields, checkValues(obj, body, false, null, r.fields.Id));
        r.fields.LastModifiedDate = now();
        return [204, null];
      }
      if (method === "DELETE") {
        const r = live(obj, id);
        r.deleted = true;
        r.fields.IsDeleted = true;
        return [204, null];
      }
    }
    if ((m = path.match(/^\/sobjects\/([^/]+)\/([^/]+)\/([^/]+)$/)) && method === "PATCH") {
      const obj = objectOr404(m[1]);
      const field = fieldsOf(obj).find((f) => f[0].toLowerCase() === m[2].toLowerCase() && (f[2].externalId || f[0] === "Id"));
      if (!field) throw fail(404, "NOT_FOUND", `Provided external ID field does not exist or is not accessible: ${m[2]}`);
      const value = decodeURIComponent(m[3]);
      const hits = [...st.records.values()].filter((r) => r.type === obj && !r.deleted &&
        String(r.fields[field[0]]) === value);
      if (hits.length > 1) return [300, hits.map((r) => recordUrl(v, obj, r.fields.Id))];
      if (hits.length === 1) {
        Object.assign(hits[0].fields, checkValues(obj, body, false, field[0], hits[0].fields.Id));
        return [200, { id: hits[0].fields.Id, success: true, errors: [], created: false }];
      }
      const id = insert(obj, checkValues(obj, { ...body, [field[0]]: value }, true));
      return [201, { id, success: true, errors: [], created: true }];
    }
    if ((path === "/query" || path === "/queryAll") && method === "GET") {
      const q = query.get("q");
      if (!q) throw fail(400, "MALFORMED_QUERY", "No query string was given");
      const opt = /batchSize=(\d+)/i.exec(headers["sforce-query-options"] ?? "");
      const batch = Math.min(2000, Math.max(200, opt ? Number(opt[1]) : 2000));
      return [200, runQuery(v, q, path === "/queryAll", batch)];
    }
    if ((m = path.match(/^\/(query|queryAll)\/(01g[A-Za-z0-9]+)-(\d+)$/)) && method === "GET") {
      const cur = st.cursors.get(m[2]);
      if (!cur || cur.pos !== Number(m[3])) throw fail(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
      st.cursors.delete(m[2]);
      return [200, page(v, cur, m[1] === "queryAll")];
    }
    if (path === "/composite" && method === "POST") return [200, composite(v, body, headers)];
    if (path === "/search" && method === "GET") return [200, sosl(v, query.get("q"))];
    if ((m = path.match(/^\/composite\/sobjects(?:\/([^/]+)\/([^/]+))?$/))) return collection(v, method, m[1], m[2], query, body);
    if (path === "/actions/standard" && method === "GET")
      return [200, { actions: ACTIONS.filter((a) => a.type === "standard").map((a) => ({ label: a.label, name: a.name, type: "STANDARD", url: `/services/data/v${v}/actions/standard/${a.name}` })) }];
    if ((m = path.match(/^\/actions\/(standard|custom\/(?:flow|apex))\/([^/]+)$/)) && method === "POST") return invocable(m[1], m[2], body);
    throw fail(404, "NOT_FOUND", "The requested resource does not exist");
  }

  // ---- SOSL: FIND {term} [IN ALL|NAME|EMAIL|PHONE FIELDS]
  //      [RETURNING Obj[(f, ... [LIMIT n])], ...] [LIMIT n] ----
  function sosl(v, q) {
    const m = /^\s*FIND\s+\{((?:\\.|[^}\\])*)\}\s*(?:IN\s+(ALL|NAME|EMAIL|PHONE)\s+FIELDS\s*)?(?:RETURNING\s+(.+?))?\s*(?:LIMIT\s+(\d+))?\s*$/is.exec(q ?? "");
    if (!m) throw fail(400, "MALFORMED_SEARCH", `No search term found. The search term must be enclosed in braces.`);
    const term = m[1].replace(/\\(.)/g, "$1").trim().toLowerCase();
    if (term.replace(/[*?]/g, "").length < 2) throw fail(400, "MALFORMED_SEARCH", "search term must be longer than one character");
    const scope = (m[2] ?? "ALL").toUpperCase();
    const specs = [];
    if (m[3]) {
      for (const part of m[3].match(/[A-Za-z0-9_]+(?:\s*\([^)]*\))?/g) ?? []) {
        const pm = /^([A-Za-z0-9_]+)\s*(?:\(([^)]*)\))?$/.exec(part.trim());
        const obj = objectOr400(pm[1]);
        let fields = ["Id"], limit = null;
        if (pm[2]) {
          const lm = /\s+LIMIT\s+(\d+)\s*$/i.exec(pm[2]);
          if (lm) limit = Number(lm[1]);
          fields = pm[2].replace(/\s+LIMIT\s+\d+\s*$/i, "").split(",").map((f) => f.trim()).filter(Boolean);
          const fm = fieldMap(obj);
          fields = fields.map((f) => {
            if (!fm.has(f.toLowerCase())) throw fail(400, "INVALID_FIELD", `No such column '${f}' on entity '${obj}'.`);
            return fm.get(f.toLowerCase())[0];
          });
        }
        specs.push({ obj, fields, limit });
      }
    } else {
      for (const obj of Object.keys(OBJECTS)) specs.push({ obj, fields: ["Id"], limit: null });
    }
    const re = new RegExp("(^|\\W)" + term.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "\\w*").replace(/\?/g, "\\w"), "i");
    const kinds = { ALL: ["string", "email", "phone", "picklist"], NAME: ["string"], EMAIL: ["email"], PHONE: ["phone"] }[scope];
    const out = [];
    let total = m[4] ? Number(m[4]) : 2000;
    for (const { obj, fields, limit } of specs) {
      let n = 0;
      for (const r of st.records.values()) {
        if (r.type !== obj || r.deleted || out.length >= total || (limit !== null && n >= limit)) continue;
        const hit = fieldsOf(obj).some(([name, type]) => kinds.includes(type) && (scope !== "NAME" || /Name$/.test(name)) &&
          typeof r.fields[name] === "string" && re.test(r.fields[name]));
        if (!hit) continue;
        n++;
        out.push(shape(v, r, fields));
      }
    }
    return { searchRecords: out };
  }
  function objectOr400(name) {
    const o = Object.keys(OBJECTS).find((k) => k.toLowerCase() === String(name).toLowerCase());
    if (!o) throw fail(400, "INVALID_TYPE", `sObject type '${name}' is not supported.`);
    return o;
  }

  // ---- sObject Collections (/composite/sobjects): up to 200 records,
  // SaveResults in order, allOrNone rolls back every record ----
  function collection(v, method, extObj, extField, query, body) {
    const rolled = { statusCode: "ALL_OR_NONE_OPERATION_ROLLED_BACK", message: "Record rolled back because not all records were valid and the request was using AllOrNone header", fields: [] };
    const tooMany = () => fail(400, "EXCEEDED_ID_LIMIT", "Record limit reached. cannot submit more than 200 records into this call");
    let allOrNone, items;
    if (method === "DELETE" && !extObj) {
      const ids = (query.get("ids") ?? "").split(",").filter(Boolean);
      if (!ids.length) throw fail(400, "MISSING_ARGUMENT", "ids parameter is required");
      if (ids.length > 200) throw tooMany();
      allOrNone = query.get("allOrNone") === "true";
      items = ids.map((id) => ({ id }));
    } else if ((method === "POST" && !extObj) || method === "PATCH") {
      if (!Array.isArray(body?.records)) throw fail(400, "JSON_PARSER_ERROR", "records is required");
      if (body.records.length > 200) throw tooMany();
      allOrNone = body.allOrNone === true;
      items = body.records;
    } else {
      throw fail(405, "METHOD_NOT_ALLOWED", `HTTP Method '${method}' not allowed. Allowed are DELETE,PATCH,POST`);
    }
    const snapshot = allOrNone ? structuredClone([...st.records.entries()]) : null;
    const out = items.map((rec) => {
      try {
        if (method === "DELETE") {
          const r = find(rec.id);
          if (!r) throw fail(404, "ENTITY_IS_DELETED", "entity is deleted");
          if (r.deleted) throw fail(404, "ENTITY_IS_DELETED", "entity is deleted");
          r.deleted = true;
          r.fields.IsDeleted = true;
          return { id: rec.id, success: true, errors: [] };
        }
        const { attributes, ...fields } = rec ?? {};
        const type = attributes?.type;
        if (!type) throw fail(400, "INVALID_TYPE", "Must send a concrete entity type.");
        const obj = objectOr400(type);
        if (extObj) {
          if (obj !== objectOr400(extObj)) throw fail(400, "INVALID_TYPE", `Record type ${type} does not match ${extObj}`);
          const f = fieldsOf(obj).find((x) => x[0].toLowerCase() === extField.toLowerCase() && (x[2].externalId || x[0] === "Id"));
          if (!f) throw fail(400, "INVALID_FIELD", `Field name provided, ${extField} is not an External ID or indexed field for ${obj}`);
          const value = fields[f[0]];
          if (value === undefined || value === null) throw fail(400, "MISSING_ARGUMENT", `${f[0]} not specified`);
          const hit = [...st.records.values()].find((r) => r.type === obj && !r.deleted && String(r.fields[f[0]]) === String(value));
          if (hit) {
            const { [f[0]]: _, ...rest } = fields;
            Object.assign(hit.fields, checkValues(obj, rest, false, f[0], hit.fields.Id));
            return { id: hit.fields.Id, success: true, errors: [], created: false };
          }
          return { id: insert(obj, checkValues(obj, fields, true)), success: true, errors: [], created: true };
        }
        if (method === "POST") {
          if (fields.Id || fields.id) throw fail(400, "INVALID_FIELD", "cannot specify Id in an insert call", ["Id"]);
          return { id: insert(obj, checkValues(obj, fields, true)), success: true, errors: [] };
        }
        const { id, Id, ...rest } = fields;
        const r = find(id ?? Id);
        if (!r || r.type !== obj) throw fail(400, "MALFORMED_ID", `${obj} ID: id value of incorrect type: ${id ?? Id}`, ["Id"]);
        if (r.deleted) throw fail(400, "ENTITY_IS_DELETED", "entity is deleted");
        Object.assign(r.fields, checkValues(obj, rest, false, null, r.fields.Id), { LastModifiedDate: now() });
        return { id: r.fields.Id, success: true, errors: [] };
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        const [err] = e.body;
        return { ...(rec?.id && method === "DELETE" ? { id: rec.id } : {}), success: false,
          errors: [{ statusCode: err.errorCode, message: err.message, fields: err.fields ?? [] }] };
      }
    });
    if (allOrNone && out.some((r) => !r.success)) {
      st.records = new Map(snapshot);
      for (const r of out) if (r.success) Object.assign(r, { id: undefined, success: false, errors: [rolled] }, { created: undefined });
      for (const r of out) { delete r.id; if (r.created === undefined) delete r.created; }
    }
    return [200, out];
  }

  // ---- invocable actions: {inputs: [...]} -> one result per input ----
  function invocable(kind, name, body) {
    const a = ACTIONS.find((x) => x.name === name && x.kind === kind);
    if (!a) throw fail(404, "NOT_FOUND", `The requested resource does not exist`);
    if (!Array.isArray(body?.inputs) || !body.inputs.length) throw fail(400, "JSON_PARSER_ERROR", "inputs is required");
    if (body.inputs.length > 200) throw fail(400, "LIMIT_EXCEEDED", "Too many inputs: an action takes at most 200");
    return [200, body.inputs.map((inp) => {
      const missing = a.required.filter((k) => inp?.[k] === undefined || inp[k] === null || inp[k] === "");
      if (missing.length)
        return { actionName: name, errors: [{ statusCode: "REQUIRED_FIELD_MISSING", message: `Missing required input parameter: ${missing[0]}`, fields: [] }],
          isSuccess: false, outputValues: null, version: 1 };
      return { actionName: name, errors: null, isSuccess: true, outputValues: a.run(inp), version: 1 };
    })];
  }

  // ---- Apex REST (/services/apexrest/...): an org's own classes; this
  // org has @RestResource(urlMapping='/CaseSummary/*') ----
  function apexrest(method, path, query, body) {
    const m = path.match(/^\/CaseSummary(?:\/([^/]*))?$/);
    if (!m) throw fail(404, "NOT_FOUND", `Could not find a match for URL ${path}`);
    if (method === "GET") {
      const acct = m[1] && find(decodeURIComponent(m[1]));
      if (!acct || acct.type !== "Account") throw fail(404, "NOT_FOUND", "No such account");
      const contacts = [...st.records.values()].filter((r) => r.type === "Contact" && !r.deleted && r.fields.AccountId === acct.fields.Id);
      return [200, { accountId: acct.fields.Id, name: acct.fields.Name, contacts: contacts.length, verbose: query.get("verbose") === "true" }];
    }
    if (method === "POST") {
      if (typeof body?.name !== "string") throw new HttpError(400, [{ errorCode: "APEX_ERROR", message: "System.NullPointerException: name is required\n\nClass.CaseSummary.doPost: line 12, column 1" }]);
      return [200, `Hello, ${body.name}`];
    }
    throw fail(405, "METHOD_NOT_ALLOWED", `HTTP Method '${method}' not allowed. Allowed are GET,POST`);
  }

  function composite(v, body, headers) {
    const reqs = body?.compositeRequest;
    if (!Array.isArray(reqs) || !reqs.length)
      throw fail(400, "JSON_PARSER_ERROR", "compositeRequest is required");
    if (reqs.length > 25)
      throw fail(400, "LIMIT_EXCEEDED", "Limit Exceeded: A composite request may contain at most 25 subrequests");
    const seen = new Set();
    for (const r of reqs) {
      if (!r.referenceId || !/^[A-Za-z][A-Za-z0-9_]*$/.test(r.referenceId) || seen.has(r.referenceId))
        throw fail(400, "INVALID_INPUT", `Invalid reference id: ${r.referenceId}. Reference IDs must be unique and begin with an alphanumeric character.`);
      seen.add(r.referenceId);
      if (!String(r.url).startsWith(`/services/data/v`))
        throw fail(400, "INVALID_INPUT", `The url ${r.url} is not valid: it must start with /services/data/`);
    }
    const snapshot = body.allOrNone ? structuredClone([...st.records.entries()]) : null;
    const results = {};
    const out = [];
    let failed = false;
    const resolve = (s) => s.replace(/@\{([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)\}/g, (all, ref, f) => {
      if (!results[ref] || results[ref].httpStatusCode >= 300)
        throw fail(400, "PROCESSING_HALTED", `Invalid reference specified. No value for ${ref}.${f} found in ${ref}.`);
      return results[ref].body?.[f] ?? all;
    });
    for (const r of reqs) {
      if (failed && body.allOrNone) {
        out.push({ body: sfError("PROCESSING_HALTED", "The transaction was rolled back since another operation in the same transaction failed."),
          httpHeaders: {}, httpStatusCode: 400, referenceId: r.referenceId });
        continue;
      }
      let res;
      try {
        const url = new URL(resolve(r.url), "http://x");
        const sub = JSON.parse(resolve(JSON.stringify(r.body ?? null)));
        const mm = url.pathname.match(/^\/services\/data\/v([0-9.]+)(\/.*)$/);
        const [status, b, h] = api(mm[1], r.method, mm[2], url.searchParams, sub, headers);
        res = { body: b, httpHeaders: h ?? {}, httpStatusCode: status, referenceId: r.referenceId };
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        res = { body: e.body, httpHeaders: {}, httpStatusCode: e.status, referenceId: r.referenceId };
        failed = true;
      }
      results[r.referenceId] = res;
      out.push(res);
    }
    if (failed && snapshot) {
      st.records = new Map(snapshot);
      // Results before the failure were rolled back too.
      for (const o of out)
        if (o.httpStatusCode < 300)
          Object.assign(o, { body: sfError("PROCESSING_HALTED", "The transaction was rolled back since another operation in the same transaction failed."),
            httpStatusCode: 400 });
    }
    return { compositeResponse: out };
  }

  // ---- OAuth ----

  function issue(grant) {
    const token = `${ORG}!${crypto.randomBytes(24).toString("base64url")}`;
    st.tokens.set(token, { valid: true, grant });
    const res = { access_token: token, instance_url: st.base, id: `${st.base}/id/${ORG}/${USER}`,
      token_type: "Bearer", issued_at: String(Date.now()),
      signature: crypto.createHmac("sha256", "k").update(token).digest("base64"), scope: "api" };
    return res;
  }
  function token(form, headers) {
    const o = st.oauth;
    let id = form.get("client_id"), secret = form.get("client_secret");
    const basic = /^Basic (.+)$/.exec(headers.authorization ?? "");
    if (basic) [id, secret] = Buffer.from(basic[1], "base64").toString().split(":");
    const grant = form.get("grant_type");
    st.tokenRequests.push({ grant, chunked: headers["transfer-encoding"] === "chunked", at: Date.now() });
    const err = (status, error, description) => [status, { error, error_description: description }];
    if (grant === "client_credentials") {
      if (id !== o.clientId) return err(400, "invalid_client_id", "client identifier invalid");
      if (secret !== o.clientSecret) return err(400, "invalid_client", "invalid client credentials");
      return [200, issue(grant)];
    }
    if (grant === "refresh_token") {
      if (id !== o.clientId) return err(400, "invalid_client_id", "client identifier invalid");
      if (secret !== undefined && secret !== null && secret !== o.clientSecret)
        return err(400, "invalid_client", "invalid client credentials");
      const rt = form.get("refresh_token");
      if (!o.refreshTokens.has(rt)) return err(400, "invalid_grant", "expired access/refresh token");
      const res = issue(grant);
      if (o.rotate) {
        o.refreshTokens.delete(rt);
        res.refresh_token = `5Aep8${crypto.randomBytes(16).toString("base64url")}`;
        o.refreshTokens.add(res.refresh_token);
      }
      return [200, res];
    }
    if (grant === "urn:ietf:params:oauth:grant-type:jwt-bearer" && o.jwt) {
      // The JWT bearer flow as Salesforce documents it: an RS256 assertion
      // signed with the connected app's certificate key; iss the consumer
      // key, sub the user, aud the login host, exp at most 3 minutes on.
      const parts = String(form.get("assertion") ?? "").split(".");
      if (parts.length !== 3) return err(400, "invalid_grant", "invalid assertion");
      let hdr, claims;
      try {
        hdr = JSON.parse(Buffer.from(parts[0], "base64url"));
        claims = JSON.parse(Buffer.from(parts[1], "base64url"));
      } catch { return err(400, "invalid_grant", "invalid assertion"); }
      const signed = crypto.verify("sha256", Buffer.from(`${parts[0]}.${parts[1]}`),
        o.jwt.publicKey, Buffer.from(parts[2], "base64url"));
      const now = Date.now() / 1000;
      if (hdr.alg !== "RS256" || !signed) return err(400, "invalid_grant", "invalid assertion");
      if (claims.iss !== o.jwt.clientId) return err(400, "invalid_client_id", "client identifier invalid");
      if (claims.sub !== o.jwt.user) return err(400, "invalid_grant", "user hasn't approved this consumer");
      if (claims.aud !== o.jwt.audience) return err(400, "invalid_grant", "audience is invalid");
      if (!(claims.exp > now) || claims.exp > now + 300) return err(400, "invalid_grant", "expired authorization code");
      return [200, issue(grant)];
    }
    if (grant === "authorization_code" && o.codes) {
      // The web-server flow with PKCE: the code, its redirect_uri and
      // the verifier of the challenge it was issued for.
      const c = o.codes.get(form.get("code"));
      o.codes.delete(form.get("code"));
      if (id !== o.clientId) return err(400, "invalid_client_id", "client identifier invalid");
      if (secret !== o.clientSecret) return err(400, "invalid_client", "invalid client credentials");
      const s256 = crypto.createHash("sha256").update(String(form.get("code_verifier"))).digest("base64url");
      if (!c || c.redirect !== form.get("redirect_uri") || c.challenge !== s256)
        return err(400, "invalid_grant", "invalid authorization code");
      const res = issue(grant);
      res.refresh_token = `5Aep8${crypto.randomBytes(16).toString("base64url")}`;
      o.refreshTokens.add(res.refresh_token);
      return [200, res];
    }
    if (grant === "password") return err(400, "unsupported_grant_type", "grant type not supported");
    return err(400, "unsupported_grant_type", "grant type not supported");
  }

  function handle(method, rawUrl, headers, body) {
    const u = new URL(rawUrl, "http://x");
    const entry = { method, path: u.pathname, query: u.search, at: Date.now(),
      authorization: headers.authorization ?? null, body, headers };
    st.received.push(entry);
    const faulted = takeFault(st.faults, method, u, entry, "application/json;charset=UTF-8");
    if (faulted) return faulted;
    const json = (status, out, extra = {}) => ({ status, headers: { "content-type": "application/json;charset=UTF-8",
      "sforce-limit-info": `api-usage=${st.apiUsage}/15000`, ...extra }, body: out === null ? "" : JSON.stringify(out) });
    if (u.pathname === "/services/oauth2/authorize" && st.oauth.codes) {
      // The user approves at once; PKCE S256 is required, as for a
      // connected app with "Require PKCE".
      const q = u.searchParams, code = `aPrx${crypto.randomBytes(12).toString("base64url")}`;
      if (q.get("client_id") !== st.oauth.clientId || q.get("code_challenge_method") !== "S256" || !q.get("code_challenge"))
        return { status: 400, headers: { "content-type": "text/plain" }, body: "bad authorization request" };
      st.oauth.codes.set(code, { redirect: q.get("redirect_uri"), challenge: q.get("code_challenge") });
      const to = new URL(q.get("redirect_uri"));
      to.searchParams.set("code", code);
      to.searchParams.set("state", q.get("state") ?? "");
      return { status: 302, headers: { location: to.href }, body: "" };
    }
    if (u.pathname === "/services/oauth2/token") {
      if (method !== "POST") return json(405, sfError("METHOD_NOT_ALLOWED", "HTTP Method 'GET' not allowed. Allowed are POST"));
      const [status, out] = token(new URLSearchParams(body), headers);
      return json(status, out);
    }
    if (u.pathname === "/services/data" || u.pathname === "/services/data/")
      return json(200, VERSIONS.map((v) => ({ label: `Release ${v}`, url: `/services/data/v${v}`, version: v })));
    const apex = u.pathname.match(/^\/services\/apexrest(\/.*)$/);
    const m = u.pathname.match(/^\/services\/data\/v([0-9]+\.[0-9])(\/.*)$/);
    if (!m && !apex) return json(404, sfError("NOT_FOUND", "The requested resource does not exist"));
    const a = /^Bearer (.+)$/.exec(headers.authorization ?? "");
    const tok = a && st.tokens.get(a[1]);
    if (!tok || !tok.valid)
      return json(401, sfError("INVALID_SESSION_ID", "Session expired or invalid"), { "www-authenticate": "Token" });
    if (apex) {
      let parsed = null;
      if (body) try { parsed = JSON.parse(body); } catch {
        return json(400, sfError("JSON_PARSER_ERROR", "Unexpected character: expected a valid value"));
      }
      try {
        const [status, out] = apexrest(method, apex[1], u.searchParams, parsed);
        return json(status, out);
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        return json(e.status, e.body);
      }
    }
    if (!VERSIONS.includes(m[1])) return json(404, sfError("NOT_FOUND", "The requested resource does not exist"));
    st.apiUsage++;
    let parsed = null;
    const csvBody = /^text\/csv/i.test(headers["content-type"] ?? "");
    if (body && !csvBody) {
      try { parsed = JSON.parse(body); } catch {
        return json(400, sfError("JSON_PARSER_ERROR", "Unexpected character ('x' (code 120)): expected a valid value"));
      }
    }
    try {
      const [status, out, extra] = api(m[1], method, m[2], u.searchParams, parsed, headers, body);
      if (out?.csv !== undefined) return { status, headers: { "content-type": "text/csv", ...extra }, body: out.csv };
      if (out?.bytes) return { status, headers: { "content-type": "application/octet-stream" }, body: out.bytes };
      return json(status, out, extra);
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      return json(e.status, e.body);
    }
  }

  return {
    state: st,
    handle,
    fault(f) { st.faults.push({ times: 1, ...f }); },
    // Every session ends, as when an admin revokes them or they time out.
    expireSessions() { for (const t of st.tokens.values()) t.valid = false; },
    // An access token made outside (as an operator would paste one).
    mintToken() { return issue("manual").access_token; },
    record: (id) => find(id),
    job: (id) => st.jobs.get(id),
    file: (id) => st.files.get(id),
    findBy: (obj, field, value) => [...st.records.values()].find((r) => r.type === obj && r.fields[field] === value),
  };
}

const readBody = (req) => new Promise((resolve, reject) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  req.on("error", reject);
});

// Serve an org on 127.0.0.1 (a random port).
export async function startOrg(opts) {
  const org = createOrg(opts);
  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    let r;
    try {
      r = org.handle(req.method, req.url, req.headers, body);
    } catch (e) {
      org.state.mockErrors = (org.state.mockErrors ?? 0) + 1;
      console.error(e);
      r = { status: 500, headers: { "content-type": "text/plain" }, body: `mock bug: ${e.stack}` };
    }
    res.writeHead(r.status, r.headers);
    res.end(r.body);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const port = server.address().port;
  org.state.base = `http://127.0.0.1:${port}`;
  return { org, url: org.state.base, port, stop: () => new Promise((r) => server.close(r)) };
}
