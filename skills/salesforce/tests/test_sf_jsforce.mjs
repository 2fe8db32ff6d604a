// The mock Salesforce org, driven by the real jsforce client (3.10.8): if
// Salesforce's own reference client works against it (OAuth client
// credentials with a chunked form, refresh on an expired session, SOQL with
// autoFetch over query locators, CRUD, upsert, describe, composite, limits)
// and sees Salesforce's errors where Salesforce gives them, the mock
// behaves as Salesforce does. Prints "ok: ..."/"FAIL: ..."; exits 1 on any
// failure.
//
//   node test_sf_jsforce.mjs NODE_MODULES
import { createRequire } from "node:module";
import path from "node:path";
import { check, fail, finish, ok } from "../../common/tests/harness.mjs";
import { startOrg } from "./sf_mock.mjs";

const nodeModules = process.argv[2];
const require = createRequire(path.join(nodeModules, "noop.js"));
const jsforce = require("jsforce");

async function rejects(p, what, want) {
  try {
    await p;
    fail(what, "no error");
  } catch (e) {
    // "data.fields": jsforce keeps the error object in e.data.
    const get = (k) => k.split(".").reduce((o, p) => o?.[p], e);
    const bad = Object.entries(want).filter(([k, v]) => JSON.stringify(get(k)) !== JSON.stringify(v));
    check(!bad.length, what, bad.map(([k]) => `${k}=${JSON.stringify(get(k))}`).join(" ") + ` (${e.message})`);
  }
}

const CLIENT_ID = "3MVG9mock.client";
const CLIENT_SECRET = "mock-secret-1";
const REFRESH = "5Aep861mockRefresh";
const { org, url, stop } = await startOrg({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken: REFRESH });
const st = org.state;

try {
  // Client credentials, as jsforce sends them (chunked form body).
  const conn = new jsforce.Connection({
    oauth2: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, loginUrl: url },
    instanceUrl: url, version: "62.0",
  });
  const info = await conn.authorize({ grant_type: "client_credentials" });
  check(conn.accessToken?.startsWith("00D") && conn.instanceUrl === url && info.organizationId === "00D5g000004ABCDEAA",
    "jsforce authorize(client_credentials): token, instance URL and identity", JSON.stringify(info));
  check(st.tokenRequests.at(-1)?.chunked === true, "jsforce sent the token form chunked and the mock read it");
  await rejects(new jsforce.Connection({ oauth2: { clientId: CLIENT_ID, clientSecret: "wrong", loginUrl: url }, instanceUrl: url })
    .authorize({ grant_type: "client_credentials" }), "a wrong client secret: invalid_client", { name: "invalid_client" });

  // SOQL: autoFetch follows nextRecordsUrl over three batches.
  const before = st.received.length;
  const q = await conn.query("SELECT Id, Name, Industry FROM Account WHERE Name LIKE 'Account%' ORDER BY Name")
    .run({ autoFetch: true, maxFetch: 10000 });
  const reqs = st.received.slice(before).filter((r) => r.path.includes("/query"));
  check(q.totalSize === 4200 && q.records.length === 4200 && q.records[0].Name === "Account 0001" &&
    q.records[4199].Name === "Account 4200" && q.records[0].attributes?.type === "Account",
    "query autoFetch: 4200 records in order with attributes", `${q.totalSize} ${q.records.length}`);
  check(reqs.length === 3 && /\/query\/01g/.test(reqs[1].path), "three batches of 2000, via query locators",
    reqs.map((r) => r.path).join(" "));
  const count = await conn.query("SELECT COUNT() FROM Account WHERE Industry = 'Energy'");
  check(count.totalSize === 1050 && count.records.length === 0, "SELECT COUNT()", JSON.stringify(count).slice(0, 200));
  const rel = await conn.query("SELECT LastName, Account.Name FROM Contact ORDER BY LastName");
  check(rel.records[0].LastName === "Hopper" && rel.records[0].Account?.Name === "Account 0001",
    "parent relationship fields", JSON.stringify(rel.records[0]));
  await rejects(conn.query("SELEC Id FROM Account"), "malformed SOQL: MALFORMED_QUERY", { errorCode: "MALFORMED_QUERY" });
  await rejects(conn.query("SELECT Id, Nope__c FROM Account"), "an unknown field: INVALID_FIELD", { errorCode: "INVALID_FIELD" });
  await rejects(conn.query("SELECT Id FROM Nothing"), "an unknown object: INVALID_TYPE", { errorCode: "INVALID_TYPE" });

  // CRUD with Salesforce's error array.
  const created = await conn.sobject("Account").create({ Name: "jsforce Co", Industry: "Energy", ERP_Id__c: "ERP-JS" });
  check(created.success === true && /^001[A-Za-z0-9]{15}$/.test(created.id), "create: success and an 18-char Id", JSON.stringify(created));
  await rejects(conn.sobject("Account").create({ Industry: "Energy" }), "a missing required field: errorCode and fields (e.data.fields)",
    { errorCode: "REQUIRED_FIELD_MISSING", "data.fields": ["Name"] });
  await rejects(conn.sobject("Account").create({ Name: "x", Bogus: 1 }), "an unknown field on create", { errorCode: "INVALID_FIELD" });
  await rejects(conn.sobject("Account").create({ Name: "x", Type: "Alien" }), "a bad restricted picklist value",
    { errorCode: "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "data.fields": ["Type"] });
  await rejects(conn.sobject("Account").create({ Name: "x", ERP_Id__c: "ERP-JS" }), "a duplicate unique value",
    { errorCode: "DUPLICATE_VALUE", "data.fields": ["ERP_Id__c"] });
  const got = await conn.sobject("Account").retrieve(created.id);
  check(got.Name === "jsforce Co" && got.Id === created.id, "retrieve", JSON.stringify(got).slice(0, 200));
  const upd = await conn.sobject("Account").update({ Id: created.id, Phone: "555-0100" });
  check(upd.success === true && org.record(created.id).fields.Phone === "555-0100", "update", JSON.stringify(upd));
  const up1 = await conn.sobject("Account").upsert({ ERP_Id__c: "ERP-NEW", Name: "Upserted" }, "ERP_Id__c");
  const up2 = await conn.sobject("Account").upsert({ ERP_Id__c: "ERP-NEW", Name: "Upserted again" }, "ERP_Id__c");
  check(up1.success && up1.created === true && up2.success && up2.created === false && up2.id === up1.id,
    "upsert creates, then updates the same record", JSON.stringify([up1, up2]));
  await rejects(conn.sobject("Account").upsert({ ERP_Id__c: "ERP-TWIN", Name: "x" }, "ERP_Id__c"),
    "upsert matching two records fails (300)", { errorCode: "MULTIPLE_CHOICES" });
  const del = await conn.sobject("Account").destroy(created.id);
  check(del.success === true && org.record(created.id).deleted, "destroy", JSON.stringify(del));
  await rejects(conn.sobject("Account").retrieve(created.id), "retrieving a deleted record: ENTITY_IS_DELETED", { errorCode: "ENTITY_IS_DELETED" });
  await rejects(conn.sobject("Account").retrieve("001000000000000AAA"), "retrieving a missing record: NOT_FOUND", { errorCode: "NOT_FOUND" });

  const d = await conn.sobject("Account").describe();
  const ind = d.fields.find((f) => f.name === "Industry");
  check(d.name === "Account" && d.keyPrefix === "001" && ind?.type === "picklist" && ind.picklistValues.length === 4 &&
    d.fields.find((f) => f.name === "ERP_Id__c")?.externalId === true && d.childRelationships[0].relationshipName === "Contacts",
    "describe: fields, types, picklists, external ids, child relationships");
  const g = await conn.describeGlobal();
  check(g.sobjects.some((o) => o.name === "Invoice__c" && o.custom) && g.sobjects.length >= 15, "describeGlobal lists the objects");
  const lim = await conn.limits();
  check(lim.DailyApiRequests?.Max === 15000 && typeof lim.DailyApiRequests.Remaining === "number", "limits", JSON.stringify(lim).slice(0, 200));

  // Composite: references, and all-or-none rollback.
  const comp = await conn.requestPost("/services/data/v62.0/composite", { allOrNone: true, compositeRequest: [
    { method: "POST", url: "/services/data/v62.0/sobjects/Account", referenceId: "acct", body: { Name: "Composite Co" } },
    { method: "POST", url: "/services/data/v62.0/sobjects/Contact", referenceId: "ct", body: { LastName: "Ref", AccountId: "@{acct.id}" } },
  ] });
  const ct = comp.compositeResponse[1];
  check(comp.compositeResponse[0].httpStatusCode === 201 && ct.httpStatusCode === 201 &&
    org.record(ct.body.id)?.fields.AccountId === comp.compositeResponse[0].body.id, "composite with @{acct.id}", JSON.stringify(comp).slice(0, 300));
  const n = st.records.size;
  const rolled = await conn.requestPost("/services/data/v62.0/composite", { allOrNone: true, compositeRequest: [
    { method: "POST", url: "/services/data/v62.0/sobjects/Account", referenceId: "a1", body: { Name: "Rolled back" } },
    { method: "POST", url: "/services/data/v62.0/sobjects/Contact", referenceId: "c1", body: { FirstName: "NoLastName" } },
  ] });
  check(st.records.size === n && rolled.compositeResponse[0].body[0].errorCode === "PROCESSING_HALTED" &&
    rolled.compositeResponse[1].body[0].errorCode === "REQUIRED_FIELD_MISSING", "allOrNone: a failure rolls everything back",
    JSON.stringify(rolled).slice(0, 400));

  // SOSL: jsforce's search() and Salesforce's searchRecords envelope.
  const found = await conn.search("FIND {Hopper} IN ALL FIELDS RETURNING Contact(Id, LastName), Account(Id, Name)");
  check(Array.isArray(found.searchRecords) && found.searchRecords.length >= 1 &&
    found.searchRecords.every((r) => r.attributes?.type === "Contact" && r.LastName === "Hopper"),
    "SOSL search: searchRecords with attributes and the RETURNING fields", JSON.stringify(found).slice(0, 300));
  await rejects(conn.search("FIND Hopper"), "SOSL without braces: MALFORMED_SEARCH", { errorCode: "MALFORMED_SEARCH" });

  // sObject Collections (jsforce sends arrays through /composite/sobjects).
  {
    const n0 = st.records.size, b0 = st.received.length;
    const recs = Array.from({ length: 200 }, (_, i) => ({ Name: `Coll ${i}`, ERP_Id__c: `COLL-${i}` }));
    const res = await conn.sobject("Account").create(recs, { allOrNone: true });
    check(res.length === 200 && res.every((r) => r.success && /^001/.test(r.id)) && st.records.size === n0 + 200 &&
      st.received.slice(b0).filter((q) => q.path.endsWith("/composite/sobjects")).length === 1,
      "create 200 records in one /composite/sobjects request", JSON.stringify(res[0]));
    const upd = await conn.sobject("Account").update(res.slice(0, 3).map((r) => ({ Id: r.id, Phone: "555-0199" })), { allOrNone: true });
    check(upd.every((r) => r.success) && org.record(res[0].id).fields.Phone === "555-0199", "update a collection", JSON.stringify(upd[0]));
    const ups = await conn.sobject("Account").upsert([{ ERP_Id__c: "COLL-0", Name: "Coll zero" }, { ERP_Id__c: "COLL-NEW", Name: "Coll new" }], "ERP_Id__c", { allOrNone: true });
    check(ups[0].success && ups[0].created === false && ups[0].id === res[0].id && ups[1].success && ups[1].created === true,
      "upsert a collection by external id: updated, then created", JSON.stringify(ups));
    const n1 = st.records.size;
    let bad;
    try { bad = await conn.sobject("Account").create([{ Name: "fine" }, { Industry: "Energy" }], { allOrNone: true }); } catch (e) { bad = e; }
    check(Array.isArray(bad) && st.records.size === n1 && bad[0].success === false &&
      bad[0].errors[0].statusCode === "ALL_OR_NONE_OPERATION_ROLLED_BACK" && bad[1].errors[0].statusCode === "REQUIRED_FIELD_MISSING",
      "allOrNone: one bad record rolls back the collection (statusCode per record)", JSON.stringify(bad).slice(0, 300));
    const part = await conn.sobject("Account").create([{ Name: "kept" }, { Industry: "Energy" }], { allOrNone: false });
    check(part[0].success === true && part[1].success === false && st.records.size === n1 + 1, "without allOrNone the good record is kept");
    const gone = await conn.sobject("Account").destroy(res.slice(0, 200).map((r) => r.id), { allOrNone: true });
    check(gone.length === 200 && gone.every((r) => r.success) && org.record(res[5].id).deleted, "delete 200 by id (DELETE /composite/sobjects?ids=)");
    let over;
    try { over = await conn.requestPost("/services/data/v62.0/composite/sobjects", { records: Array.from({ length: 201 }, () => ({ attributes: { type: "Account" }, Name: "x" })) }); } catch (e) { over = e; }
    check(over?.errorCode === "EXCEEDED_ID_LIMIT", "201 records: EXCEEDED_ID_LIMIT", String(over?.message));
  }

  // Apex REST: /services/apexrest/..., not under /services/data.
  {
    const acct = (await conn.query("SELECT Id FROM Account ORDER BY Name LIMIT 1")).records[0].Id;
    const sum = await conn.apex.get(`/CaseSummary/${acct}?verbose=true`);
    check(sum.accountId === acct && sum.verbose === true && st.received.at(-1).path === `/services/apexrest/CaseSummary/${acct}`,
      "Apex REST GET through jsforce's conn.apex", JSON.stringify(sum));
    const hi = await conn.apex.post("/CaseSummary/", { name: "Ada" });
    check(hi === "Hello, Ada", "Apex REST POST with a JSON body", JSON.stringify(hi));
    await rejects(conn.apex.post("/CaseSummary/", {}), "an Apex exception: APEX_ERROR", { errorCode: "APEX_ERROR" });
  }

  // Invocable actions: {inputs:[...]} -> one result per input.
  {
    const out = await conn.requestPost("/services/data/v62.0/actions/custom/flow/Score_Lead", { inputs: [{ Email: "a@b.com" }, {}] });
    check(out.length === 2 && out[0].isSuccess === true && out[0].outputValues.Score === 80 && out[1].isSuccess === false &&
      out[1].errors[0].statusCode === "REQUIRED_FIELD_MISSING", "a flow action: one result per input", JSON.stringify(out));
    const std = await conn.request("/services/data/v62.0/actions/standard");
    check(std.actions.some((a) => a.name === "chatterPost"), "the standard actions list");
  }

  // Bulk API 2.0 through jsforce's bulk2: a query job and an ingest job,
  // each polled to JobComplete, results as CSV.
  {
    conn.bulk2.pollInterval = 50;
    const stream = await conn.bulk2.query("SELECT Id, Name FROM Account WHERE Name LIKE 'Account 00%' ORDER BY Name");
    const recs = await new Promise((resolve, reject) => {
      const out = [];
      stream.on("record", (r) => out.push(r));
      stream.on("end", () => resolve(out));
      stream.on("error", reject);
    });
    check(recs.length === 99 && recs[0].Name === "Account 0001" && /^001/.test(recs[0].Id),
      "bulk2.query: a query job polled to JobComplete, CSV results parsed", `${recs.length} ${JSON.stringify(recs[0])}`);
    const n0 = st.records.size;
    const res = await conn.bulk2.loadAndWaitForResults({ object: "Account", operation: "insert",
      input: 'Name,Industry\n"Bulk, Inc.",Energy\n"Quote ""Q"" Ltd",Banking\n,Energy\n' });
    check(res.successfulResults.length === 2 && res.failedResults.length === 1 && st.records.size === n0 + 2 &&
      /^001/.test(res.successfulResults[0].sf__Id) && res.successfulResults[1].Name === 'Quote "Q" Ltd' &&
      /REQUIRED_FIELD_MISSING/.test(res.failedResults[0].sf__Error),
      "bulk2.loadAndWaitForResults: an ingest job, successful and failed results", JSON.stringify(res).slice(0, 400));
  }

  // Files: ContentVersion with base64 VersionData, read back as bytes.
  {
    const data = Buffer.concat([Buffer.from([0, 1, 2, 255]), Buffer.from("file body")]);
    const cv = await conn.sobject("ContentVersion").create({ Title: "Spec", PathOnClient: "spec.bin", VersionData: data.toString("base64") });
    const meta = await conn.sobject("ContentVersion").retrieve(cv.id);
    check(cv.success && /^068/.test(cv.id) && meta.Title === "Spec" && meta.ContentSize === data.length && /^069/.test(meta.ContentDocumentId),
      "ContentVersion create with base64 VersionData; retrieve its fields", JSON.stringify(meta).slice(0, 300));
    const bytes = await conn.request({ method: "GET", url: `/services/data/v62.0/sobjects/ContentVersion/${cv.id}/VersionData`, headers: {} }, { responseType: "arraybuffer" })
      .catch((e) => e);
    check(org.file(cv.id)?.data.equals(data), "the org keeps the file's bytes", String(bytes).slice(0, 80));
    await rejects(conn.sobject("ContentVersion").create({ Title: "x" }), "ContentVersion without PathOnClient/VersionData: REQUIRED_FIELD_MISSING",
      { errorCode: "REQUIRED_FIELD_MISSING" });
  }

  // An expired session: jsforce refreshes with its refresh token and
  // sends the request again.
  const rconn = new jsforce.Connection({
    oauth2: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, loginUrl: url },
    instanceUrl: url, accessToken: org.mintToken(), refreshToken: REFRESH, version: "62.0",
  });
  let refreshed = 0;
  rconn.on("refresh", () => refreshed++);
  org.expireSessions();
  const after = await rconn.query("SELECT Id FROM Account LIMIT 1");
  check(after.totalSize === 1 && refreshed === 1 && st.tokenRequests.at(-1).grant === "refresh_token",
    "an expired session (401 INVALID_SESSION_ID) makes jsforce refresh and retry", `refreshed=${refreshed}`);
  await rejects(new jsforce.Connection({ instanceUrl: url, accessToken: "00Dbogus", version: "62.0" })
    .query("SELECT Id FROM Account"), "a bad token without refresh: INVALID_SESSION_ID", { errorCode: "INVALID_SESSION_ID" });
  check(!st.mockErrors, "the mock itself never failed");
} catch (e) {
  fail("unexpected exception", e.stack);
} finally {
  await stop();
}
finish();
