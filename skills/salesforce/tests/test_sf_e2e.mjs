// skillhost/salesforce end to end: the signed package installed into a
// fresh store, configured with `skillhost secret set`, `skillhost config`
// and `skillhost permit`, called through `skillhost call` and over MCP
// (stdio, official TypeScript SDK client) against the mock org that
// test_sf_jsforce.mjs holds to jsforce's expectations. Prints "ok: ..." or
// "FAIL: ..." per check; exits 1 when any failed.
//
// Env (from ctest): SKILLHOST_BIN, SKILLS_OUT, NODE_MODULES.
import crypto from "node:crypto";
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { check, fail, finish, ok, skillhostCli } from "../../common/tests/harness.mjs";
import { startOrg } from "./sf_mock.mjs";

const SH = process.env.SKILLHOST_BIN;
const OUT = process.env.SKILLS_OUT;
const NM = process.env.NODE_MODULES;
const SKILL = "skillhost/salesforce";


// Made up for this run: finding them in any output is a leak.
const CLIENT_ID = `3MVG9${crypto.randomBytes(8).toString("hex")}`;
const CLIENT_SECRET = `sf-secret-${crypto.randomBytes(9).toString("hex")}`;
const REFRESH = `5Aep861${crypto.randomBytes(9).toString("hex")}`;

const cli = skillhostCli({ bin: SH, skill: SKILL, tmpPrefix: "skillhost-sf-", envPrefix: "SALESFORCE_" });
const { run, secret, call, expectOk, expectErr } = cli;


const { org, url, port, stop } = await startOrg({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken: REFRESH });
const st = org.state;
const received = () => st.received.length;
const tokenRequests = () => st.tokenRequests.length;

try {
  let r = await cli.installSigned(OUT, "skillhost-salesforce-1.0.0.skill");
  check(r.rc === 0 && /\*\.my\.salesforce\.com, login\.salesforce\.com, test\.salesforce\.com/.test(r.out),
    "install the signed package; it shows its network permission", r.out + r.err);

  // ---- configuration ----
  r = await call("limits", {});
  expectErr(r, "no instance URL: a tool error naming it and the command", "SALESFORCE_INSTANCE_URL", "skillhost secret set skillhost/salesforce SALESFORCE_INSTANCE_URL");
  r = await run(["config", SKILL, "instance_url", url]);
  check(r.rc === 0, "the instance URL can be a setting too", r.err);
  r = await call("limits", {});
  expectErr(r, "no credentials: a tool error naming each way to give them", "SALESFORCE_ACCESS_TOKEN", "SALESFORCE_CLIENT_SECRET", "SALESFORCE_REFRESH_TOKEN", "skillhost secret set skillhost/salesforce");
  await secret("SALESFORCE_CLIENT_ID", CLIENT_ID);
  r = await call("limits", {});
  expectErr(r, "a client id alone: says what else is missing", "neither SALESFORCE_CLIENT_SECRET nor SALESFORCE_REFRESH_TOKEN");
  await secret("SALESFORCE_CLIENT_SECRET", "wrong-secret");
  let before = received();
  r = await call("limits", {});
  expectErr(r, "the mock's address is not allowed until permitted", `skillhost permit ${SKILL} 127.0.0.1`);
  check(received() === before, "the denied token request never left the host");
  r = await run(["permit", SKILL, `127.0.0.1:${port}`]);
  check(r.rc === 0, "skillhost permit the mock", r.err);
  r = await call("limits", {});
  expectErr(r, "a wrong client secret: Salesforce's OAuth error and what it means", "invalid_client", "SALESFORCE_CLIENT_SECRET does not match");
  await secret("SALESFORCE_CLIENT_SECRET", CLIENT_SECRET);
  await run(["config", SKILL, "instance_url", "--unset"]);
  await secret("SALESFORCE_INSTANCE_URL", url);

  // ---- querying ----
  before = tokenRequests();
  const q0 = received();
  r = await call("soql_query", { query: "SELECT Id, Name, Industry FROM Account WHERE Name LIKE 'Account%' ORDER BY Name", max_records: 10000 });
  expectOk(r, "soql_query over 4200 records (client credentials)");
  check(r.sc?.returned === 4200 && r.sc.records.length === 4200 && r.sc.total_size === 4200 && r.sc.done === true &&
    r.sc.records[0].Name === "Account 0001" && r.sc.records[4199].Name === "Account 4200" && r.sc.records[0].attributes === undefined,
    "all 4200 records, in order, attributes stripped", JSON.stringify(r.sc?.records?.[0]));
  check(st.received.slice(q0).filter((x) => x.path.includes("/query")).length === 3 && tokenRequests() - before === 1 &&
    st.tokenRequests.at(-1).grant === "client_credentials", "3 batches via nextRecordsUrl, one client-credentials token request");
  r = await call("soql_query", { query: "SELECT Id FROM Account ORDER BY Name", max_records: 1000, batch_size: 500 });
  check(!r.isError && r.sc.returned === 1000 && r.sc.done === false && /\/services\/data\/v62\.0\/query\/01g/.test(r.sc.next_records_url ?? ""),
    "max_records on a batch boundary gives next_records_url (batch_size 500 sent as Sforce-Query-Options)", r.text.slice(0, 300));
  check(st.received.at(-1).headers["sforce-query-options"] === "batchSize=500", "the batch size header reached Salesforce");
  const r2 = await call("soql_query", { next_records_url: r.sc?.next_records_url, max_records: 600, batch_size: 500 });
  check(!r2.isError && r2.sc.returned === 600 && r2.sc.truncated === true && r2.sc.next_records_url === undefined,
    "continuing from next_records_url; a cap inside a batch says truncated", r2.text.slice(0, 300));
  {
    // Default settings: every call ends on a batch boundary, so a
    // 1,200-row query is continuable to its end.
    const ids = new Set();
    let calls = 0, next = null, last;
    const q1 = st.received.length;
    do {
      last = await call("soql_query", next ? { next_records_url: next } : { query: "SELECT Id FROM Account ORDER BY Name LIMIT 1200" });
      calls++;
      for (const rec of last.sc?.records ?? []) ids.add(rec.Id);
      next = last.sc?.next_records_url;
      if (!last.sc?.done && !next) break;
    } while (next && calls < 10);
    check(!last.isError && calls === 3 && ids.size === 1200 && last.sc.done === true && !last.sc.truncated,
      "a 1,200-row query with default settings continues to its end (500 + 500 + 200, no truncation)",
      `calls=${calls} ids=${ids.size} ${last.text.slice(0, 200)}`);
    check(st.received.slice(q1).find((x) => x.path.endsWith("/query"))?.headers["sforce-query-options"] === "batchSize=500",
      "the default max_records 500 asks for batches of 500");
  }
  r = await call("soql_query", { query: "SELECT Id FROM Account ORDER BY Name LIMIT 1200", max_records: 2003 });
  check(!r.isError && r.sc.returned === 1200 && r.sc.done === true, "max_records 2003 over 1,200 rows: all of them", r.text.slice(0, 200));
  r = await call("soql_query", { query: "SELECT Id FROM Account ORDER BY Name", max_records: 2003 });
  check(!r.isError && r.sc.returned === 2000 && r.sc.done === false && !r.sc.truncated && /\/query\/01g/.test(r.sc.next_records_url ?? ""),
    "max_records 2003 (no divisor): stops at the 2,000 boundary with next_records_url", r.text.slice(0, 200));
  r = await call("soql_query", { next_records_url: "https://evil.example.com/steal" });
  expectErr(r, "a next_records_url that is not a query locator is refused", "next_records_url must be");
  r = await call("soql_query", { query: "SELECT LastName, Account.Name FROM Contact ORDER BY LastName" });
  check(!r.isError && r.sc.records[0].Account?.Name === "Account 0001" && r.sc.records[0].Account.attributes === undefined,
    "relationship fields, attributes stripped at every level", r.text.slice(0, 300));
  r = await call("soql_query", { query: "SELECT COUNT() FROM Account WHERE Industry = 'Energy'" });
  check(!r.isError && r.sc.total_size === 1050 && r.sc.returned === 0, "SELECT COUNT() gives total_size", r.text.slice(0, 200));
  r = await call("soql_query", { query: "SELEC Id FROM Account" });
  expectErr(r, "MALFORMED_QUERY: Salesforce's message and the SOQL shape", "MALFORMED_QUERY", "unexpected token", "SELECT field");
  r = await call("soql_query", { query: "SELECT Id, Revenue FROM Account" });
  expectErr(r, "INVALID_FIELD: the message and describe_object", "INVALID_FIELD", "No such column 'Revenue'", "describe_object");
  r = await call("soql_query", { query: "SELECT Id FROM Acount" });
  expectErr(r, "INVALID_TYPE: the message and list_objects", "INVALID_TYPE", "list_objects");

  // ---- records ----
  r = await call("create_record", { sobject: "Account", fields: { Name: "Skill Co", Industry: "Energy", AnnualRevenue: 5e6, ERP_Id__c: "ERP-SKILL" } });
  expectOk(r, "create_record");
  const id = r.sc?.id;
  check(/^001[A-Za-z0-9]{15}$/.test(id ?? "") && org.record(id)?.fields.Name === "Skill Co", "the record exists with its 18-char Id", id);
  r = await call("create_record", { sobject: "Account", fields: { Industry: "Energy" } });
  expectErr(r, "REQUIRED_FIELD_MISSING with the fields named", "REQUIRED_FIELD_MISSING: Required fields are missing: [Name] (fields: Name)", "createable and not nillable");
  r = await call("create_record", { sobject: "Account", fields: { Name: "x", Type: "Alien" } });
  expectErr(r, "a bad restricted picklist value", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "picklist's values");
  r = await call("create_record", { sobject: "Account", fields: { Name: "x", ERP_Id__c: "ERP-SKILL" } });
  expectErr(r, "a duplicate unique value", "DUPLICATE_VALUE", "upsert_record");
  r = await call("get_record", { sobject: "Account", id, fields: ["Name", "Industry", "ERP_Id__c"] });
  check(!r.isError && r.sc.record.Name === "Skill Co" && r.sc.record.Industry === "Energy" && r.sc.record.attributes === undefined &&
    Object.keys(r.sc.record).length === 3, "get_record with fields", r.text.slice(0, 300));
  r = await call("get_record", { sobject: "Account", id: "001000000000000AAA" });
  expectErr(r, "404 NOT_FOUND on a missing record", "404", "NOT_FOUND");
  r = await call("get_record", { sobject: "Account", id: "not-an-id" });
  check(r.isError && /id/.test(r.text), "a malformed Id is refused by the input schema", r.text);
  r = await call("update_record", { sobject: "Account", id, fields: { Phone: "555-0199", AnnualRevenue: null } });
  check(!r.isError && org.record(id).fields.Phone === "555-0199" && org.record(id).fields.AnnualRevenue === null &&
    r.sc.updated.join() === "Phone,AnnualRevenue", "update_record (a null clears a field)", r.text.slice(0, 200));
  r = await call("update_record", { sobject: "Account", id, fields: {} });
  // The input schema's minProperties refuses it before the skill runs.
  expectErr(r, "an update with no fields is refused by the input schema", "/fields", "fewer than the minimum 1");
  r = await call("upsert_record", { sobject: "Account", external_id_field: "ERP_Id__c", external_id: "ERP-UP/1", fields: { Name: "Upserted" } });
  const upId = r.sc?.id;
  check(!r.isError && r.sc.created === true && org.record(upId)?.fields.ERP_Id__c === "ERP-UP/1",
    "upsert_record creates (the external id is path-encoded)", r.text.slice(0, 200));
  r = await call("upsert_record", { sobject: "Account", external_id_field: "ERP_Id__c", external_id: "ERP-UP/1", fields: { Name: "Upserted again" } });
  check(!r.isError && r.sc.created === false && r.sc.id === upId && org.record(upId).fields.Name === "Upserted again",
    "upsert_record updates the same record", r.text.slice(0, 200));
  r = await call("upsert_record", { sobject: "Account", external_id_field: "ERP_Id__c", external_id: "ERP-TWIN", fields: { Name: "x" } });
  expectErr(r, "upsert matching two records: 300 and what to do", "300 Multiple Choices", "Several records have that external id");
  r = await call("upsert_record", { sobject: "Account", external_id_field: "Phone", external_id: "1", fields: { Name: "x" } });
  expectErr(r, "upsert by a field that is not an external id", "Provided external ID field does not exist", "External ID");
  r = await call("delete_record", { sobject: "Account", id });
  check(!r.isError && r.sc.deleted === true && org.record(id).deleted, "delete_record", r.text.slice(0, 200));
  r = await call("get_record", { sobject: "Account", id });
  expectErr(r, "reading a deleted record: ENTITY_IS_DELETED", "ENTITY_IS_DELETED", "recycle bin");

  // ---- metadata ----
  r = await call("describe_object", { sobject: "Account", include_child_relationships: true });
  {
    const f = r.sc?.fields ?? [];
    const ind = f.find((x) => x.name === "Industry"), erp = f.find((x) => x.name === "ERP_Id__c"), name = f.find((x) => x.name === "Name");
    check(!r.isError && r.sc.key_prefix === "001" && ind?.picklist?.map((p) => p.value).join() === "Agriculture,Banking,Energy,Technology" &&
      erp?.external_id === true && name?.nillable === false && r.sc.child_relationships?.[0]?.relationship_name === "Contacts",
      "describe_object: types, picklists, external ids, required fields, child relationships", r.text.slice(0, 400));
  }
  r = await call("describe_object", { sobject: "Opportunity", include_picklists: false });
  check(!r.isError && r.sc.fields.every((x) => !x.picklist) && r.sc.child_relationships === undefined, "describe_object without picklists");
  r = await call("describe_object", { sobject: "Nope__c" });
  expectErr(r, "describing an unknown object: 404 and list_objects", "404", "list_objects");
  r = await call("list_objects", { filter: "inv" });
  check(!r.isError && r.sc.matched === 1 && r.sc.objects[0].name === "Invoice__c" && r.sc.objects[0].custom === true,
    "list_objects with a filter", r.text.slice(0, 300));
  r = await call("list_objects", { custom_only: true });
  check(!r.isError && r.sc.objects.map((o) => o.name).join() === "Invoice__c,Shipment__c", "list_objects custom_only");
  r = await call("list_objects", { max_results: 3 });
  check(!r.isError && r.sc.returned === 3 && r.sc.matched >= 17, "list_objects caps with max_results, counts all matches");
  r = await call("limits", { names: ["DailyApiRequests"] });
  check(!r.isError && r.sc.limits.DailyApiRequests?.Max === 15000 && Object.keys(r.sc.limits).length === 1, "limits by name");
  r = await call("limits", { names: ["NoSuchLimit"] });
  expectErr(r, "an unknown limit name", "no limit named \"NoSuchLimit\"");

  // ---- composite ----
  r = await call("composite", { requests: [
    { method: "POST", url: "sobjects/Account", reference_id: "acct", body: { Name: "Composite Co" } },
    { method: "POST", url: "/sobjects/Contact", reference_id: "ct", body: { LastName: "Ref", AccountId: "@{acct.id}" } },
    { method: "GET", url: "/services/data/v62.0/sobjects/Contact/@{ct.id}", reference_id: "back" },
  ] });
  check(!r.isError && r.sc.succeeded === 3 && r.sc.failed === 0 && r.sc.results[2].body.AccountId === r.sc.results[0].body.id &&
    r.sc.results[2].body.attributes === undefined, "composite: three subrequests with references", r.text.slice(0, 400));
  const n = st.records.size;
  r = await call("composite", { requests: [
    { method: "POST", url: "sobjects/Account", reference_id: "a1", body: { Name: "Rolled back" } },
    { method: "POST", url: "sobjects/Contact", reference_id: "c1", body: { FirstName: "NoLastName" } },
  ] });
  expectErr(r, "composite all_or_none: rolled back, with the cause", "rolled back", "'c1' failed (400): REQUIRED_FIELD_MISSING");
  check(!r.text.includes("'a1' failed"), "...naming the cause, not the halted subrequests");
  check(st.records.size === n, "nothing was created");
  r = await call("composite", { all_or_none: false, requests: [
    { method: "POST", url: "sobjects/Account", reference_id: "a2", body: { Name: "Kept" } },
    { method: "POST", url: "sobjects/Contact", reference_id: "c2", body: { FirstName: "NoLastName" } },
  ] });
  check(!r.isError && r.sc.succeeded === 1 && r.sc.failed === 1 && /REQUIRED_FIELD_MISSING/.test(r.sc.results[1].error) &&
    st.records.size === n + 1, "composite without all_or_none: each result says its status", r.text.slice(0, 400));
  r = await call("composite", { requests: Array.from({ length: 26 }, (_, i) => ({ method: "GET", url: "limits", reference_id: `r${i}` })) });
  check(r.isError && /requests/.test(r.text), "26 subrequests are refused by the input schema", r.text.slice(0, 200));

  // ---- SOSL ----
  r = await call("sosl_search", { text: "Hopper", objects: [{ name: "Contact", fields: ["Id", "LastName"] }, { name: "Account", fields: ["Name"] }] });
  check(!r.isError && r.sc.count >= 1 && r.sc.records.every((x) => x.sobject === "Contact" && x.LastName === "Hopper" && !x.attributes) &&
    r.sc.by_object.Contact === r.sc.count && /^FIND \{Hopper\} IN ALL FIELDS RETURNING Contact\(Id, LastName\), Account\(Name\) LIMIT 200$/.test(r.sc.sosl),
    "sosl_search: text and objects build the FIND statement; records say their sobject", r.text.slice(0, 400));
  check(/^\/services\/data\/v62\.0\/search$/.test(st.received.at(-1).path) && /q=FIND/.test(st.received.at(-1).query), "...through GET /search?q=");
  r = await call("sosl_search", { text: "O'Brien-Smith (x)" });
  check(!r.isError && /FIND \{O\\'Brien\\-Smith \\\(x\\\)\}/.test(r.sc.sosl), "reserved characters in text are escaped", r.text.slice(0, 300));
  r = await call("sosl_search", { sosl: "FIND {Account 000*} IN NAME FIELDS RETURNING Account(Id, Name LIMIT 5)" });
  check(!r.isError && r.sc.count === 5 && r.sc.records.every((x) => /^Account 000/.test(x.Name)), "a whole SOSL statement with a wildcard", r.text.slice(0, 300));
  r = await call("sosl_search", { sosl: "FIND Hopper" });
  expectErr(r, "malformed SOSL is Salesforce's MALFORMED_SEARCH with advice", "MALFORMED_SEARCH", "FIND {words}");
  r = await call("sosl_search", { text: "x y", sosl: "FIND {a}" });
  expectErr(r, "text and sosl together are refused", "not both");

  // ---- sObject Collections ----
  {
    const n0 = st.records.size, q0 = st.received.length;
    r = await call("create_records", { sobject: "Account", records: Array.from({ length: 200 }, (_, i) => ({ Name: `Bulk ${i}`, ERP_Id__c: `BULK-${i}` })) });
    const reqs = st.received.slice(q0).filter((q) => q.path.endsWith("/composite/sobjects"));
    check(!r.isError && r.sc.succeeded === 200 && r.sc.failed === 0 && st.records.size === n0 + 200 && reqs.length === 1 &&
      JSON.parse(reqs[0].body).allOrNone === true && JSON.parse(reqs[0].body).records[199].attributes.type === "Account",
      "create_records: 200 in one request, all_or_none by default", r.text.slice(0, 200));
    const ids = r.sc.results.map((x) => x.id);
    r = await call("update_records", { sobject: "Account", records: ids.map((Id) => ({ Id, Industry: "Banking" })) });
    check(!r.isError && r.sc.succeeded === 200 && ids.every((id) => org.record(id).fields.Industry === "Banking"), "update_records: 200 by Id", r.text.slice(0, 200));
    r = await call("upsert_records", { sobject: "Account", external_id_field: "ERP_Id__c",
      records: [{ ERP_Id__c: "BULK-0", Name: "Bulk zero" }, { ERP_Id__c: "BULK-NEW", Name: "Bulk new" }] });
    check(!r.isError && r.sc.results[0].created === false && r.sc.results[0].id === ids[0] && r.sc.results[1].created === true,
      "upsert_records: updated and created, each said", r.text.slice(0, 300));
    const n1 = st.records.size;
    r = await call("create_records", { sobject: "Contact", records: [{ LastName: "Fine" }, { FirstName: "NoLast" }, { LastName: "Also fine" }] });
    expectErr(r, "all_or_none: one bad record rolls back all, naming it", "Rolled back", "none of the 3 records was created", "record 1: REQUIRED_FIELD_MISSING");
    check(st.records.size === n1 && !/record 0:/.test(r.text), "...nothing was created, and only the cause is named");
    r = await call("create_records", { sobject: "Contact", all_or_none: false, records: [{ LastName: "Fine" }, { FirstName: "NoLast" }] });
    check(!r.isError && r.sc.succeeded === 1 && r.sc.failed === 1 && /REQUIRED_FIELD_MISSING/.test(r.sc.results[1].error) && st.records.size === n1 + 1,
      "without all_or_none: the good record is kept, the bad one reported", r.text.slice(0, 300));
    r = await call("create_records", { sobject: "Account", records: [{ Id: ids[0], Name: "x" }] });
    expectErr(r, "create_records refuses an Id (use update_records)", "record 1 has an Id");
    r = await call("create_records", { sobject: "Account", records: Array.from({ length: 201 }, () => ({ Name: "x" })) });
    check(r.isError && /records/.test(r.text), "201 records are refused by the input schema", r.text.slice(0, 200));
    r = await call("delete_records", { ids });
    check(!r.isError && r.sc.succeeded === 200 && ids.every((id) => org.record(id).deleted) &&
      /ids=/.test(st.received.at(-1).query) && /allOrNone=true/.test(st.received.at(-1).query), "delete_records: 200 by id", r.text.slice(0, 200));
  }

  // ---- Apex REST and invocable actions ----
  {
    const acct = [...st.records.values()].find((x) => x.type === "Account" && !x.deleted).fields.Id;
    r = await call("apex_rest", { method: "GET", path: `CaseSummary/${acct}`, query: { verbose: true } });
    check(!r.isError && r.sc.status === 200 && r.sc.body.accountId === acct && r.sc.body.verbose === true &&
      st.received.at(-1).path === `/services/apexrest/CaseSummary/${acct}` && st.received.at(-1).query === "?verbose=true",
      "apex_rest GET goes to /services/apexrest/, not under /services/data", `${st.received.at(-1).path} ${r.text.slice(0, 200)}`);
    r = await call("apex_rest", { method: "POST", path: "/CaseSummary/", body: { name: "Ada" } });
    check(!r.isError && r.sc.body === "Hello, Ada", "apex_rest POST with a JSON body", r.text.slice(0, 200));
    r = await call("apex_rest", { method: "POST", path: "CaseSummary", body: {} });
    expectErr(r, "an Apex exception is quoted", "APEX_ERROR", "name is required");
    r = await call("apex_rest", { method: "GET", path: "CaseSummary", body: { a: 1 } });
    expectErr(r, "a GET with a body is refused", "has no body");
    r = await call("composite", { requests: [{ method: "GET", url: `/services/apexrest/CaseSummary/${acct}`, reference_id: "ax" }] });
    check(JSON.parse(st.received.at(-1).body).compositeRequest[0].url === `/services/apexrest/CaseSummary/${acct}`,
      "composite keeps an /services/apexrest/ url as given (not rewritten under /services/data)", st.received.at(-1).body);
    r = await call("invoke_action", { action: "custom/flow/Score_Lead", inputs: [{ Email: "a@b.com" }, {}] });
    check(!r.isError && r.sc.succeeded === 1 && r.sc.failed === 1 && r.sc.results[0].outputs.Score === 80 &&
      /REQUIRED_FIELD_MISSING: Missing required input parameter: Email/.test(r.sc.results[1].error) &&
      st.received.at(-1).path === "/services/data/v62.0/actions/custom/flow/Score_Lead",
      "invoke_action: a flow, one result per input", r.text.slice(0, 300));
    r = await call("invoke_action", { action: "standard/noSuchAction", inputs: [{}] });
    expectErr(r, "an unknown action is a 404 with advice", "404", "standard/NAME");
  }

  // ---- Bulk API 2.0 ----
  {
    st.bulkPolls = 3;
    const q0 = st.received.length;
    r = await call("bulk_query", { query: "SELECT Id, Name, Industry FROM Account WHERE Name LIKE 'Account%' ORDER BY Name" });
    const polls = st.received.slice(q0).filter((q) => q.method === "GET" && /\/jobs\/query\/750[A-Za-z0-9]+$/.test(q.path)).length;
    const csv = r.sc?.uri?.startsWith("file:") ? fs.readFileSync(fileURLToPath(r.sc.uri), "utf8") : "";
    const lines = csv.trim().split("\n");
    check(!r.isError && r.sc.done === true && r.sc.state === "JobComplete" && r.sc.records === 4200 && polls >= 4 &&
      lines.length === 4201 && lines[0] === '"Id","Name","Industry"' && /^"001[A-Za-z0-9]+","Account 0001",/.test(lines[1]),
      "bulk_query: a job created, polled to JobComplete, 4200 rows into one CSV artifact", `polls=${polls} lines=${lines.length} ${r.text.slice(0, 300)}`);
    const job = org.job(r.sc?.job_id);
    check(job?.kind === "query" && JSON.parse(st.received.slice(q0).find((q) => q.method === "POST" && q.path.endsWith("/jobs/query")).body).contentType === "CSV",
      "...through POST /jobs/query with contentType CSV");
    // Results in pages: header once.
    const big = await call("bulk_query", { query: "SELECT Id FROM Account ORDER BY Name", wait_seconds: 0 });
    check(!big.isError && big.sc.done === false && /^750/.test(big.sc.job_id) && /job_id/.test(big.sc.next),
      "bulk_query with wait_seconds 0: done false with the job_id to resume", big.text.slice(0, 300));
    r = await call("bulk_query", { job_id: big.sc?.job_id ?? "750000000000000AAA" });
    check(!r.isError && r.sc.done === true && r.sc.job_id === big.sc?.job_id && r.sc.records >= 4200, "...and job_id resumes it to the end", r.text.slice(0, 300));
    r = await call("bulk_query", { query: "SELECT Id FROM Nothing" });
    expectErr(r, "a bad bulk query is Salesforce's error", "INVALIDJOB", "Nothing");

    const dir = path.join(cli.tmp, "inputs");
    fs.mkdirSync(dir, { recursive: true });
    const rows = ["Name,Industry,ERP_Id__c", ...Array.from({ length: 300 }, (_, i) => `"Loaded, ${i}",Energy,LOAD-${i}`), ",Energy,LOAD-BAD"];
    fs.writeFileSync(path.join(dir, "accounts.csv"), rows.join("\r\n") + "\r\n");
    check((await run(["config", SKILL, "input-dir", dir])).rc === 0, "skillhost config input-dir");
    const n0 = st.records.size;
    r = await call("bulk_ingest", { sobject: "Account", operation: "insert", csv_path: path.join(dir, "accounts.csv") });
    const okCsv = r.sc?.successful_results_uri ? fs.readFileSync(fileURLToPath(r.sc.successful_results_uri), "utf8").trim().split("\n") : [];
    const badCsv = r.sc?.failed_results_uri ? fs.readFileSync(fileURLToPath(r.sc.failed_results_uri), "utf8").trim().split("\n") : [];
    check(!r.isError && r.sc.done && r.sc.processed === 301 && r.sc.failed === 1 && st.records.size === n0 + 300 &&
      okCsv.length === 301 && /^"sf__Id","sf__Created"/.test(okCsv[0]) && badCsv.length === 2 && /REQUIRED_FIELD_MISSING/.test(badCsv[1]) &&
      org.findBy("Account", "ERP_Id__c", "LOAD-7")?.fields.Name === "Loaded, 7",
      "bulk_ingest: CSV from a file (CRLF), job to completion, successful and failed results as artifacts", r.text.slice(0, 400));
    const ing = [...st.jobs.values()].at(-1);
    check(JSON.parse(st.received.find((q) => q.method === "POST" && q.path.endsWith("/jobs/ingest") && q.at >= 0 && JSON.parse(q.body).object === "Account").body).lineEnding === "CRLF" &&
      st.received.some((q) => q.method === "PUT" && q.path.endsWith(`/jobs/ingest/${ing.id}/batches`) && q.headers["content-type"] === "text/csv") &&
      st.received.some((q) => q.method === "PATCH" && q.path.endsWith(`/jobs/ingest/${ing.id}`) && /UploadComplete/.test(q.body)),
      "...PUT the CSV as text/csv (CRLF declared), PATCH UploadComplete");
    r = await call("bulk_ingest", { sobject: "Account", operation: "upsert", external_id_field: "ERP_Id__c",
      csv: "ERP_Id__c,Phone,Name\nLOAD-1,555-0101,\nLOAD-NEW,#N/A,New one\n" });
    check(!r.isError && r.sc.processed === 2 && r.sc.failed === 0 && org.findBy("Account", "ERP_Id__c", "LOAD-1")?.fields.Phone === "555-0101" &&
      org.findBy("Account", "ERP_Id__c", "LOAD-1")?.fields.Name === "Loaded, 1" && org.findBy("Account", "ERP_Id__c", "LOAD-NEW")?.fields.Name === "New one",
      "bulk_ingest upsert from inline csv (an empty cell leaves the field alone)", r.text.slice(0, 300));
    r = await call("bulk_ingest", { sobject: "Account", operation: "upsert", csv: "Name\nx\n" });
    expectErr(r, "an upsert without external_id_field is refused", "external_id_field");
    org.fault({ method: "PUT", path: /\/batches$/, status: 500, body: "" });
    const jobs0 = st.jobs.size;
    r = await call("bulk_ingest", { sobject: "Account", operation: "insert", csv: "Name\nAborted one\n" });
    const aborted = [...st.jobs.values()].at(-1);
    check(r.isError && st.jobs.size === jobs0 + 1 && aborted.state === "Aborted", "a failed upload aborts the job (nothing half-loaded runs)", `${aborted?.state} ${r.text.slice(0, 200)}`);
    st.bulkPolls = 2;

    // ---- files ----
    const bytes = Buffer.concat([Buffer.from([...Array(256).keys()]), crypto.randomBytes(5000)]);
    fs.writeFileSync(path.join(dir, "contract.pdf"), bytes);
    const acct = org.findBy("Account", "ERP_Id__c", "LOAD-7")?.fields.Id;
    r = await call("upload_file", { path: path.join(dir, "contract.pdf"), title: "Signed contract", link_to: acct });
    const f = org.file(r.sc?.id);
    check(!r.isError && f && Buffer.compare(f.data, bytes) === 0 && f.Title === "Signed contract" && f.PathOnClient === "contract.pdf" &&
      f.FirstPublishLocationId === acct, "upload_file: a ContentVersion with every byte, linked to the record", r.text.slice(0, 300));
    r = await call("download_file", { id: f?.Id ?? "068000000000000AAA" });
    let got = r.sc?.uri?.startsWith("file:") ? fs.readFileSync(fileURLToPath(r.sc.uri)) : null;
    check(!r.isError && got && Buffer.compare(got, bytes) === 0 && r.sc.filename === "contract.pdf" && r.sc.size === bytes.length,
      "download_file by ContentVersion Id: the same bytes, as an artifact", r.text.slice(0, 300));
    r = await call("download_file", { id: f?.ContentDocumentId ?? "069000000000000AAA" });
    got = r.sc?.uri?.startsWith("file:") ? fs.readFileSync(fileURLToPath(r.sc.uri)) : null;
    check(!r.isError && got && Buffer.compare(got, bytes) === 0, "download_file by ContentDocument Id (its latest version)", r.text.slice(0, 300));
    r = await call("upload_file", { path: "/etc/passwd" });
    expectErr(r, "a file outside the allowed folders is refused", "outside the folders", "input-dir");
  }

  // ---- faults ----
  org.fault({ method: "GET", path: /\/query$/, status: 429, headers: { "Retry-After": "1" }, body: "" });
  before = received();
  r = await call("soql_query", { query: "SELECT Id FROM Account LIMIT 5" });
  {
    const qs = st.received.slice(before).filter((x) => x.path.endsWith("/query"));
    check(!r.isError && r.sc.returned === 5 && qs.length === 2 && qs[0].fault === 429 && qs[1].at - qs[0].at >= 900,
      "a GET answered 429 is retried after Retry-After and succeeds", r.text.slice(0, 200));
  }
  org.fault({ method: "POST", path: /\/sobjects\/Account$/, status: 429, headers: { "Retry-After": "5" },
    body: [{ errorCode: "REQUEST_LIMIT_EXCEEDED", message: "TotalRequests Limit exceeded." }] });
  before = received();
  r = await call("create_record", { sobject: "Account", fields: { Name: "Throttled" } });
  expectErr(r, "a POST answered 429: not retried, with Retry-After", "429", "Retry-After: 5 seconds", "not carried out");
  check(st.received.slice(before).filter((x) => x.path.endsWith("/sobjects/Account")).length === 1 &&
    !org.findBy("Account", "Name", "Throttled"), "...sent once and nothing created");
  org.fault({ method: "GET", path: /\/query$/, status: 403,
    body: [{ errorCode: "REQUEST_LIMIT_EXCEEDED", message: "TotalRequests Limit exceeded." }] });
  r = await call("soql_query", { query: "SELECT Id FROM Account LIMIT 1" });
  expectErr(r, "403 REQUEST_LIMIT_EXCEEDED: the org's API limit", "403", "REQUEST_LIMIT_EXCEEDED", "API request limit");
  org.fault({ method: "GET", path: /\/sobjects\/Account\/describe$/, status: 403,
    body: [{ errorCode: "INSUFFICIENT_ACCESS", message: "insufficient access rights on object id" }] });
  r = await call("describe_object", { sobject: "Account" });
  expectErr(r, "403 INSUFFICIENT_ACCESS", "INSUFFICIENT_ACCESS", "lacks the permission");
  org.fault({ method: "GET", path: /\/limits$/, status: 500, contentType: "text/html",
    body: "<html><head><title>Service Temporarily Unavailable</title></head><body><p>maintenance</p></body></html>" });
  before = received();
  r = await call("limits", {});
  expectErr(r, "500 with an HTML page: its title", "500 Internal Server Error", "Service Temporarily Unavailable", "try again later");
  check(st.received.slice(before).filter((x) => x.path.endsWith("/limits")).length === 1, "a 500 is not retried");
  org.fault({ method: "GET", path: /\/limits$/, status: 503, headers: { "Retry-After": "0" }, body: "" });
  r = await call("limits", {});
  expectOk(r, "a GET answered 503 with Retry-After is retried and succeeds");

  // Redirects: credentials stay with the origin the skill addressed.
  org.fault({ method: "GET", path: /\/limits$/, status: 307,
    headers: { Location: `${url}/services/data/v62.0/limits?same=origin` }, body: "" });
  before = received();
  r = await call("limits", {});
  {
    const hop = st.received.slice(before).find((x) => x.query === "?same=origin");
    check(!r.isError && hop?.authorization?.startsWith("Bearer "), "a same-origin redirect keeps the Authorization header", r.text.slice(0, 200));
  }
  r = await run(["permit", SKILL, `localhost:${port}`]);
  org.fault({ method: "GET", path: /\/limits$/, status: 307,
    headers: { Location: `http://localhost:${port}/services/data/v62.0/limits?other=origin` }, body: "" });
  before = received();
  r = await call("limits", {});
  {
    const hop = st.received.slice(before).find((x) => x.query === "?other=origin");
    check(hop && hop.headers.host === `localhost:${port}` && hop.authorization === null,
      "a redirect to another (permitted) origin carries no Authorization header (host fix)", JSON.stringify(hop?.headers ?? {}));
  }
  await run(["permit", SKILL, `localhost:${port}`, "--remove"]);

  // ---- tokens: refresh token flow, access token alone, renewal ----
  await secret("SALESFORCE_CLIENT_SECRET", null);
  await secret("SALESFORCE_REFRESH_TOKEN", REFRESH);
  before = tokenRequests();
  r = await call("limits", {});
  check(!r.isError && tokenRequests() - before === 1 && st.tokenRequests.at(-1).grant === "refresh_token",
    "the refresh token flow (no client secret)", r.text.slice(0, 200));
  await secret("SALESFORCE_REFRESH_TOKEN", "5Aep861revoked");
  r = await call("limits", {});
  expectErr(r, "a revoked refresh token: invalid_grant and what to do", "invalid_grant", "SALESFORCE_REFRESH_TOKEN has expired or was revoked");
  await secret("SALESFORCE_REFRESH_TOKEN", null);
  await secret("SALESFORCE_CLIENT_ID", null);
  const minted = org.mintToken();
  await secret("SALESFORCE_ACCESS_TOKEN", minted);
  before = tokenRequests();
  r = await call("limits", {});
  check(!r.isError && tokenRequests() === before && st.received.at(-1).authorization === `Bearer ${minted}`,
    "SALESFORCE_ACCESS_TOKEN alone is used as is", r.text.slice(0, 200));
  org.expireSessions();
  r = await call("limits", {});
  expectErr(r, "an expired access token with no way to renew: 401 and what to set", "401", "INVALID_SESSION_ID", "SALESFORCE_ACCESS_TOKEN");
  check(tokenRequests() === before, "...and no token request was attempted");
  await secret("SALESFORCE_CLIENT_ID", CLIENT_ID);
  await secret("SALESFORCE_CLIENT_SECRET", CLIENT_SECRET);
  before = received();
  r = await call("create_record", { sobject: "Account", fields: { Name: "After renewal" } });
  {
    const posts = st.received.slice(before).filter((x) => x.path.endsWith("/sobjects/Account"));
    check(!r.isError && posts.length === 2 && posts[0].authorization === `Bearer ${minted}` &&
      posts[1].authorization !== posts[0].authorization && st.tokenRequests.at(-1).grant === "client_credentials" &&
      [...st.records.values()].filter((x) => x.fields.Name === "After renewal").length === 1,
      "401 INVALID_SESSION_ID: the token is renewed once and the POST sent again, creating one record", r.text.slice(0, 200));
  }
  await secret("SALESFORCE_ACCESS_TOKEN", null);

  // ---- settings: API version, login URL ----
  r = await run(["config", SKILL, "api_version", "v61.0", "--skill", path.join(OUT, "lib", "salesforce.so")]);
  check(r.rc === 0, "api_version 61.0 accepted by the settings schema", r.err);
  r = await call("limits", {});
  check(!r.isError && st.received.at(-1).path === "/services/data/v61.0/limits", "requests use the configured API version", st.received.at(-1).path);
  r = await run(["config", SKILL, "api_version", "sixty", "--skill", path.join(OUT, "lib", "salesforce.so")]);
  check(r.rc !== 0 && /api_version/.test(r.err), "a malformed api_version is refused by the settings schema", r.err);
  await run(["config", SKILL, "api_version", "--unset"]);

  // ---- the allowlist ----
  await secret("SALESFORCE_INSTANCE_URL", `http://localhost:${port}`);
  before = received();
  r = await call("limits", {});
  expectErr(r, "localhost (not permitted) is denied, with the permit command", `skillhost permit ${SKILL} localhost`);
  check(received() === before, "...and nothing reached it");
  await secret("SALESFORCE_INSTANCE_URL", "https://no-such-org.my.salesforce.com");
  r = await call("limits", {}, ["--timeout", "8000"]);
  check(r.isError && !/refused to send/.test(r.text), "the manifest allows *.my.salesforce.com (not denied; it cannot resolve here)", r.text);
  await secret("SALESFORCE_INSTANCE_URL", "https://acme.salesforce.example.com");
  r = await call("limits", {});
  expectErr(r, "any other host is denied", "skillhost permit skillhost/salesforce acme.salesforce.example.com");
  await secret("SALESFORCE_INSTANCE_URL", url);

  // ---- over MCP: a long-lived host, the token shared by calls ----
  const logs = [];
  const connect = () => cli.mcp(NM, "sf-e2e", logs);
  let client = await connect();
  ok("MCP client connected to skillhost serve --stdio (isolated workers, the default)");
  const { tools } = await client.listTools();
  {
    // Issue 14: Anthropic's API (and Bedrock, OpenAI strict) refuse a
    // top-level combinator or enum in inputSchema; every tool is a closed object.
    const bad = tools.filter((t) => ["oneOf", "anyOf", "allOf", "enum", "not"].some((k) => k in t.inputSchema) ||
      t.inputSchema.additionalProperties !== false);
    check(tools.length >= 10 && !bad.length, `all ${tools.length} tools: no top-level oneOf/anyOf/allOf/enum/not, additionalProperties false`,
      bad.map((t) => t.name).join(", "));
  }
  const hints = {
    soql_query: [true, false, true], get_record: [true, false, true], create_record: [false, false, false],
    update_record: [false, true, true], delete_record: [false, true, true], upsert_record: [false, true, true],
    describe_object: [true, false, true], list_objects: [true, false, true], composite: [false, true, false],
    limits: [true, false, true], sosl_search: [true, false, true], create_records: [false, false, false],
    update_records: [false, true, true], upsert_records: [false, true, true], delete_records: [false, true, true],
    apex_rest: [false, true, false], invoke_action: [false, true, false], bulk_query: [true, false, false],
    bulk_ingest: [false, true, false], upload_file: [false, false, false], download_file: [true, false, true],
  };
  for (const [name, [ro, de, id]] of Object.entries(hints)) {
    const t = tools.find((x) => x._meta?.["io.skillhost/canonical"] === `skillhost/salesforce.${name}`);
    const a = t?.annotations ?? {};
    check(t && a.readOnlyHint === ro && a.destructiveHint === de && a.idempotentHint === id && a.openWorldHint === true &&
      t.inputSchema?.type === "object" && t.outputSchema?.type === "object",
      `MCP tools/list: ${name} with its schemas and hints (readOnly=${ro}, destructive=${de}, idempotent=${id})`, JSON.stringify(a));
  }
  const mcall = (name, args) => client.callTool({ name: `skillhost.salesforce.${name}`, arguments: args });
  before = tokenRequests();
  let res = await mcall("soql_query", { query: "SELECT Id, Name FROM Account ORDER BY Name", max_records: 2500 });
  check(!res.isError && res.structuredContent?.returned === 2500 && tokenRequests() - before === 1,
    "MCP soql_query: 2500 records over 2 batches, one token request", JSON.stringify(res).slice(0, 200));
  res = await mcall("limits", {});
  check(!res.isError && tokenRequests() - before === 1, "the next call reuses the skill's cached token");
  org.expireSessions();
  res = await mcall("get_record", { sobject: "Account", id: [...st.records.values()][0].fields.Id, fields: ["Name"] });
  check(!res.isError && tokenRequests() - before === 2 && res.structuredContent?.record?.Name === "Account 0001",
    "an expired session is renewed once and the call succeeds", JSON.stringify(res).slice(0, 200));
  res = await mcall("create_record", { sobject: "Contact", fields: { FirstName: "x" } });
  check(res.isError === true && /REQUIRED_FIELD_MISSING/.test(res.content?.[0]?.text), "MCP: a Salesforce error is isError with its code");
  {
    // Bulk jobs report progress while they are polled.
    const progress = [];
    const bq = tools.find((t) => t.name.endsWith("bulk_query"));
    st.bulkPolls = 4;
    res = await client.callTool({ name: bq.name, arguments: { query: "SELECT Id FROM Account WHERE Industry = 'Energy'" } },
      undefined, { onprogress: (p) => progress.push(p), resetTimeoutOnProgress: true });
    st.bulkPolls = 2;
    const energy = [...st.records.values()].filter((x) => x.type === "Account" && !x.deleted && x.fields.Industry === "Energy").length;
    check(!res.isError && res.structuredContent?.records === energy && progress.length >= 3 &&
      progress.every((p, i) => !i || p.progress > progress[i - 1].progress) && progress.some((p) => /InProgress/.test(p.message ?? "")),
      `MCP bulk_query: progress notifications while the job runs (${progress.length})`, JSON.stringify(progress).slice(0, 400));
  }
  org.expireSessions();
  before = tokenRequests();
  let par = await Promise.all(Array.from({ length: 8 }, () => mcall("limits", {})));
  check(par.every((x) => !x.isError) && tokenRequests() - before <= 4,
    "8 concurrent calls on isolated workers (pool of 4): all succeed, at most one token per worker",
    `token requests: ${tokenRequests() - before}`);
  await client.close();

  // In-process, every call shares one state: one renewal for all.
  r = await run(["config", SKILL, "isolation", "in-process"]);
  check(r.rc === 0, "isolation in-process for the shared-state check", r.err);
  client = await connect();
  res = await mcall("limits", {});
  check(!res.isError, "in-process: a first call gets a token");
  org.expireSessions();
  before = tokenRequests();
  par = await Promise.all(Array.from({ length: 8 }, () => mcall("limits", {})));
  check(par.every((x) => !x.isError) && tokenRequests() - before === 1,
    "8 concurrent calls on an expired session in one process: one renewal, shared under the mutex",
    `token requests: ${tokenRequests() - before}`);
  check(logs.some((l) => /GET \/services\/data\/v62\.0\/limits -> 200/.test(JSON.stringify(l.data))),
    "the skill's request log reaches the client as notifications/message");
  await client.close();
  await run(["config", SKILL, "isolation", "--unset"]);
  cli.captured += JSON.stringify(logs);

  // ---- secrets never printed ----
  const issued = [...st.tokens.keys()];
  check(issued.length >= 5, `the org issued ${issued.length} access tokens during the test`);
  const leaks = [["SALESFORCE_CLIENT_SECRET", CLIENT_SECRET], ["SALESFORCE_REFRESH_TOKEN", REFRESH],
    ...issued.map((t) => ["an access token", t])].filter(([, v]) => cli.captured.includes(v));
  check(!leaks.length, `no secret or access token appears in the CLI or MCP output or logs (${cli.captured.length} bytes checked)`,
    leaks.map(([n]) => n).join(", "));
  check(/GET \/services\/data\/v62\.0\/query -> 200/.test(cli.captured), "the cli.captured logs include the request log");
  check(!st.mockErrors, "the mock itself never failed");
  check(!/LeakSanitizer|AddressSanitizer|runtime error:/.test(cli.captured), "no sanitizer report in any output (for sanitizer builds)");
} catch (e) {
  fail("unexpected exception", e.stack);
} finally {
  await stop();
  cli.remove();
}
finish();
