// skillhost/jira end to end: the signed package installed into a fresh
// store, configured with `skillhost secret set` and `skillhost permit`,
// called through `skillhost call` and over MCP (stdio, official TypeScript
// SDK client), against the stateful Jira mock behind `prism proxy --errors`
// with Atlassian's OpenAPI document. Prints "ok: ..." or "FAIL: ..." per
// check; exits 1 when any failed.
//
// Env (from ctest): SKILLHOST_BIN, SKILLS_OUT, NODE_MODULES, JIRA_SPEC.
import crypto from "node:crypto";
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { check, fail, finish, ok, skillhostCli } from "../../common/tests/harness.mjs";
import { startJiraMock, USERS } from "./jira_mock.mjs";
import { adfValidator } from "./adf_schema.mjs";

const SH = process.env.SKILLHOST_BIN;
const OUT = process.env.SKILLS_OUT;
const NM = process.env.NODE_MODULES;
const SPEC = process.env.JIRA_SPEC;
const SKILL = "skillhost/jira";


// Credentials made up for this run, so finding them anywhere in the
// output means a leak.
const TOKEN = `jira-api-token-${crypto.randomBytes(9).toString("hex")}`;
const BEARER = `jira-oauth-${crypto.randomBytes(9).toString("hex")}`;
const EMAIL = USERS[0].emailAddress;
const BASIC = Buffer.from(`${EMAIL}:${TOKEN}`).toString("base64");

const cli = skillhostCli({ bin: SH, skill: SKILL, tmpPrefix: "skillhost-jira-", envPrefix: "JIRA_" });
const { run, secret, call, expectOk, expectErr } = cli;


const mock = await startJiraMock({ nodeModules: NM, spec: SPEC, email: EMAIL, token: TOKEN, bearer: BEARER });
const jira = mock.jira;
const received = () => jira.state.received.length;
ok(`Prism proxy --errors with the Jira spec is up, mock at ${mock.url}`);

try {
  // ---- install the signed package ----
  let r = await cli.installSigned(OUT, "skillhost-jira-1.0.0.skill");
  check(r.rc === 0 && /installed skillhost\/jira 1\.0\.0/.test(r.out), "install the signed skillhost-jira package", r.out + r.err);
  check(/\*\.atlassian\.net, api\.atlassian\.com/.test(r.out), "install shows the network permission", r.out);

  // ---- configuration errors ----
  r = await call("search_issues", { jql: "project = ENG" });
  expectErr(r, "no JIRA_BASE_URL: a tool error naming it and the command", "JIRA_BASE_URL", "skillhost secret set skillhost/jira JIRA_BASE_URL");
  await secret("JIRA_BASE_URL", mock.url);
  await secret("JIRA_EMAIL", EMAIL);
  r = await call("search_issues", { jql: "project = ENG" });
  expectErr(r, "no JIRA_API_TOKEN: a tool error naming it and `skillhost secret set`", "JIRA_API_TOKEN is not set", "skillhost secret set skillhost/jira");
  await secret("JIRA_API_TOKEN", TOKEN);

  // The mock's port is not in the manifest: denied until permitted.
  let before = received();
  r = await call("list_projects", {});
  expectErr(r, "a host outside the allowlist is denied, with the permit command",
    "skillhost permit skillhost/jira 127.0.0.1");
  check(received() === before, "the denied request never left the host");
  r = await run(["permit", SKILL, `127.0.0.1:${mock.port}`]);
  check(r.rc === 0, "skillhost permit the mock's address", r.err);

  // ---- pagination ----
  jira.fault({ method: "GET", path: /\/project\/search$/, query: /startAt=50&/, status: 429,
    headers: { "Retry-After": "1", "RateLimit-Reason": "jira-burst-based" },
    body: { errorMessages: ["Rate limit exceeded."] } });
  before = received();
  r = await call("list_projects", { max_results: 120 });
  expectOk(r, "list_projects follows pages to 120 projects");
  const projReqs = jira.state.received.slice(before);
  check(r.sc?.count === 120 && r.sc.projects.length === 120 && r.sc.total === 120 && r.sc.next_start_at === undefined,
    "120 projects, total 120, no next_start_at", JSON.stringify(r.sc)?.slice(0, 300));
  check(projReqs.filter((q) => q.path.endsWith("/project/search")).length === 4,
    "3 pages plus one retry of the rate-limited page", projReqs.map((q) => q.query).join(" "));
  {
    const p2 = projReqs.filter((q) => q.query.includes("startAt=50&"));
    check(p2.length === 2 && p2[0].fault === 429 && p2[1].at - p2[0].at >= 900,
      "a GET answered 429 is retried by the host after Retry-After (1 s)",
      p2.map((q) => `${q.fault ?? 200}@${q.at}`).join(" "));
  }
  r = await call("list_projects", { max_results: 60, start_at: 10, query: "prj" });
  check(!r.isError && r.sc.count === 60 && r.sc.projects[0].key === "PRJ011" && r.sc.next_start_at === 70,
    "list_projects with a query, start and cap gives next_start_at", r.text.slice(0, 300));

  before = received();
  r = await call("search_issues", { jql: "project = ENG ORDER BY key ASC", max_results: 1000, page_size: 50, fields: ["summary", "status"] });
  expectOk(r, "search_issues over 130 issues");
  {
    const keys = r.sc?.issues?.map((i) => i.key) ?? [];
    check(r.sc?.count === 130 && keys[0] === "ENG-1" && keys[129] === "ENG-130" && new Set(keys).size === 130 && r.sc.is_last === true,
      "all 130 issues, in order, no duplicates, is_last", `count=${r.sc?.count} first=${keys[0]} last=${keys[129]}`);
    check(jira.state.received.slice(before).filter((q) => q.path.endsWith("/search/jql")).length === 3,
      "search_issues followed nextPageToken over 3 pages");
    const f = r.sc?.issues?.[0]?.fields ?? {};
    check(Object.keys(f).sort().join() === "status,summary" && f.status === "To Do",
      "field selection: only summary and status, status as its name", JSON.stringify(f));
  }
  r = await call("search_issues", { jql: "project = ENG ORDER BY key ASC", max_results: 70, page_size: 40 });
  check(!r.isError && r.sc.count === 70 && r.sc.is_last === false && typeof r.sc.next_page_token === "string",
    "a capped search returns next_page_token", r.text.slice(0, 300));
  const r2 = await call("search_issues", { jql: "project = ENG ORDER BY key ASC", max_results: 100, next_page_token: r.sc?.next_page_token });
  check(!r2.isError && r2.sc.count === 60 && r2.sc.issues[0].key === "ENG-71" && r2.sc.is_last === true,
    "next_page_token continues where the capped search stopped", r2.text.slice(0, 300));
  r = await call("search_issues", { jql: "assignee = currentUser() AND labels = backend", fields: ["summary", "assignee"], expand: "names" });
  expectOk(r, "search with currentUser(), labels and expand=names");
  r = await call("search_issues", { jql: "ORDER BY key" });
  expectErr(r, "unbounded JQL: Jira's message and how to fix it", "Unbounded JQL", "search restriction");
  r = await call("search_issues", { jql: "foo = bar" });
  expectErr(r, "a JQL field error is quoted", "Field 'foo' does not exist");

  // A POST answered 429 is not retried: the error says when to come back.
  jira.fault({ method: "POST", path: /\/search\/jql$/, status: 429, contentType: "text/html",
    headers: { "Retry-After": "7", "RateLimit-Reason": "jira-burst-based" },
    body: "<html><head><title>429 Too Many Requests</title></head><body><h1>Slow down</h1></body></html>" });
  before = received();
  r = await call("search_issues", { jql: "project = ENG" });
  expectErr(r, "POST 429 with an HTML body: a clear error with Retry-After", "429", "Retry-After: 7 seconds", "not carried out", "429 Too Many Requests", "jira-burst-based");
  check(received() - before === 1, "the POST that got 429 was sent once (not retried)");
  // A search POST answered 429 on page 2 is resent as Retry-After asks...
  jira.fault({ method: "POST", path: /\/search\/jql$/, reqBody: /nextPageToken/, status: 429, times: 2,
    headers: { "Retry-After": "1" }, body: { errorMessages: ["Rate limit exceeded."] } });
  before = received();
  r = await call("search_issues", { jql: "project = ENG ORDER BY key ASC", max_results: 60, page_size: 30 });
  {
    const posts = jira.state.received.slice(before).filter((q) => q.path.endsWith("/search/jql"));
    check(!r.isError && r.sc.count === 60 && !r.sc.partial && posts.length === 4 && posts[2].at - posts[1].at >= 900,
      "search: page 2 answered 429 twice is resent after Retry-After and completes", `${posts.map((q) => q.fault ?? 200)} ${r.text.slice(0, 200)}`);
  }
  // ...and when the limit outlasts the retries, the pages read come back
  // with the token that resumes.
  jira.fault({ method: "POST", path: /\/search\/jql$/, reqBody: /nextPageToken/, status: 429, times: 4,
    headers: { "Retry-After": "1" }, body: { errorMessages: ["Rate limit exceeded."] } });
  before = received();
  r = await call("search_issues", { jql: "project = ENG ORDER BY key ASC", max_results: 90, page_size: 30 });
  check(!r.isError && r.sc.partial === true && r.sc.count === 30 && r.sc.is_last === false && r.sc.next_page_token &&
    /429/.test(r.sc.warning) && /next_page_token/.test(r.sc.warning) && received() - before === 5,
    "search: 429 on page 2 past the retries returns page 1 (partial) and a resume token", r.text.slice(0, 400));
  {
    const r2 = await call("search_issues", { jql: "project = ENG ORDER BY key ASC", max_results: 60, page_size: 30, next_page_token: r.sc?.next_page_token });
    const keys = [...(r.sc?.issues ?? []), ...(r2.sc?.issues ?? [])].map((i) => i.key);
    check(!r2.isError && keys.length === 90 && new Set(keys).size === 90 && keys[30] === "ENG-31",
      "the resume token continues at the page that failed", `${keys.length} ${keys.slice(28, 32)}`);
  }
  jira.fault({ method: "POST", path: /\/search\/jql$/, status: 503, times: 4, headers: { "Retry-After": "0" }, body: "" });
  r = await call("search_issues", { jql: "project = ENG" });
  expectErr(r, "a first page still failing after the retries is an error", "503", "server-side failure");
  jira.fault({ method: "GET", path: /\/issue\/ENG-5$/, status: 429, times: 4, headers: { "Retry-After": "0" },
    body: { errorMessages: ["Rate limit exceeded."] } });
  before = received();
  r = await call("get_issue", { issue_key: "ENG-5" });
  expectErr(r, "a GET still limited after the host's retries says so", "already retried", "Retry-After: 0 seconds");
  check(received() - before === 4, "the host tried the GET 4 times (1 + 3 retries)", `${received() - before}`);
  jira.state.faults.length = 0;

  // ---- reading ----
  r = await call("get_issue", { issue_key: "ENG-1" });
  expectOk(r, "get_issue ENG-1");
  {
    const f = r.sc?.fields ?? {};
    check(f.description?.includes("## Context") && f.description.includes("**SSO**") &&
      f.description.includes("[the runbook](https://wiki.example.com/runbook)") &&
      f.description.includes("[~accountid:5b10ac8d82e05b22cc7d4ef5]") && f.description.includes("```sh"),
      "the ADF description comes back as Markdown", JSON.stringify(f.description));
    check(f.status === "To Do" && f.priority === "Medium" && f.reporter?.accountId === USERS[0].accountId &&
      f.reporter.avatarUrls === undefined && f.project?.key === "ENG",
      "the compact view: names for status and priority, users by accountId, no avatars", JSON.stringify(f).slice(0, 400));
    check(f.comment?.comments?.[0]?.body === "First comment" && r.sc.field_names?.customfield_10016 === "Story Points" &&
      f.customfield_10016 === 5, "comments as Markdown, custom fields with their names");
    check(r.sc?.url === `${mock.url}/browse/ENG-1`, "the issue's browse URL", r.sc?.url);
  }
  r = await call("get_issue", { issue_key: "ENG-1", raw: true, fields: ["description"] });
  check(!r.isError && r.sc.fields.description?.type === "doc", "raw: the description as ADF", r.text.slice(0, 200));
  r = await call("get_issue", { issue_key: "ENG-9999" });
  expectErr(r, "404: Jira's message and what to check", "404", "Issue does not exist", "Check the issue key");
  r = await call("get_issue", { issue_key: "not a key" });
  check(r.isError && /issue_key/.test(r.text + r.err), "a malformed issue key is refused by the input schema", r.text);

  // ---- writing ----
  const markdown = [
    "# Login fails", "", "Users see **500** on *submit*; ~~flaky~~ `POST /login` per [logs](https://logs.example.com/q?x=1 \"Logs\").",
    "Second line.", "", "## Steps", "", "1. Open the page", "2. Press **Go**", "   - nested *bullet*", "     1. deeper",
    "", "- [~accountid:5b10ac8d82e05b22cc7d4ef5] to look", "", "```python", "print(\"hi\")", "```", "", "> quoted _text_",
    "", "| Env | Result |", "|:----|------:|", "| prod | **fail** |", "| stage | ok \\| fine |", "", "---", "",
    "Escapes: \\*not em\\*, 2 * 3, snake_case, <https://auto.example.com>, www.example.org and &amp; &copy;",
  ].join("\n");
  before = jira.state.adfChecked;
  r = await call("create_issue", { project: "ENG", summary: "Login fails for SSO", issue_type: "Bug", priority: "High",
    description: markdown, labels: ["sso", "login"], assignee: "me", components: ["Backend"], due_date: "2026-03-01",
    fields: { customfield_10016: 8, customfield_10030: { value: "Production" } },
    rich_text_fields: { customfield_10050: "1. log in\n2. **boom**" } });
  expectOk(r, "create_issue with Markdown, custom fields and a rich-text custom field");
  const created = jira.issue(r.sc?.key);
  check(!!created && r.sc.url === `${mock.url}/browse/${r.sc.key}`, "the new issue's key and URL", r.text);
  check(jira.state.adfChecked - before === 2 && !jira.state.adfViolations.length,
    "both rich-text values validate against Atlassian's ADF schema", JSON.stringify(jira.state.adfViolations).slice(0, 500));
  if (created) {
    const types = new Set();
    const marks = new Set();
    const walk = (n) => {
      types.add(n.type);
      for (const m of n.marks ?? []) marks.add(m.type);
      for (const c of n.content ?? []) walk(c);
    };
    walk(created.description);
    const needTypes = ["heading", "paragraph", "text", "hardBreak", "orderedList", "bulletList", "listItem",
      "mention", "codeBlock", "blockquote", "table", "tableRow", "tableHeader", "tableCell", "rule"];
    const needMarks = ["strong", "em", "strike", "code", "link"];
    check(needTypes.every((t) => types.has(t)) && needMarks.every((m) => marks.has(m)),
      "the description uses every ADF node and mark the Markdown asked for",
      `missing: ${needTypes.filter((t) => !types.has(t))} ${needMarks.filter((m) => !marks.has(m))}`);
    check(created.assignee?.accountId === USERS[0].accountId && created.priority.name === "High" &&
      created.custom.customfield_10030?.value === "Production" && created.custom.customfield_10016 === 8 &&
      created.custom.customfield_10050?.type === "doc" && created.components[0]?.[1] === "Backend",
      "assignee \"me\", priority, select option, number and rich-text custom fields stored");
    const back = await call("get_issue", { issue_key: created.key, fields: ["description"] });
    const md = back.sc?.fields?.description ?? "";
    check(md.includes("| Env | Result |") && md.includes("```python") && md.includes("~~flaky~~") &&
      md.includes("[logs](https://logs.example.com/q?x=1 \"Logs\")") && md.includes("   - nested *bullet*"),
      "reading it back gives the same Markdown constructs", md);
  }
  r = await call("create_issue", { project: "ENG", summary: "No priority", issue_type: "Bug" });
  expectErr(r, "a required field missing: Jira's field error", "priority: Priority is required", "get_create_fields");
  r = await call("create_issue", { project: "ENG", summary: "x", fields: { customfield_99999: "y" } });
  expectErr(r, "an unknown custom field: Jira's message and get_create_fields", "customfield_99999", "cannot be set", "get_create_fields");
  r = await call("create_issue", { project: "ENG", summary: "x", fields: { summary: "twice" } });
  expectErr(r, "a field given twice is refused before any request", "given both");
  jira.fault({ method: "POST", path: /\/rest\/api\/3\/issue$/, status: 403,
    body: { errorMessages: ["You do not have permission to create issues in this project."], errors: {} } });
  r = await call("create_issue", { project: "OPS", summary: "forbidden" });
  expectErr(r, "403: Jira's message and the permission advice", "403", "do not have permission to create issues", "lacks the permission");

  r = await call("update_issue", { issue_key: "ENG-2", summary: "Renamed", description: "Now *italic*", add_labels: ["new"], remove_labels: ["ui"], notify_users: false });
  expectOk(r, "update_issue: summary, description, add and remove labels");
  {
    const x = jira.issue("ENG-2");
    check(x.summary === "Renamed" && x.labels.join() === "frontend,new" && x.description.content[0].content[1].marks[0].type === "em",
      "the update reached Jira", JSON.stringify({ s: x.summary, l: x.labels }));
    const q = jira.state.received.filter((e) => e.method === "PUT" && e.path.endsWith("/issue/ENG-2")).pop();
    check(q?.query === "?notifyUsers=false", "notify_users=false is passed on", q?.query);
  }
  before = received();
  r = await call("update_issue", { issue_key: "ENG-2" });
  expectErr(r, "an update with nothing to change is refused", "nothing to change");
  check(received() === before, "...without a request");
  r = await call("update_issue", { issue_key: "ENG-2", labels: ["a"], add_labels: ["b"] });
  expectErr(r, "labels and add_labels together are refused", "not both");

  r = await call("add_comment", { issue_key: "ENG-2", body: "Fixed by **#42**; see `fix()`.\n\n- a\n- b", visibility: { type: "role", value: "Developers" } });
  expectOk(r, "add_comment with Markdown and role visibility");
  {
    const c = jira.issue("ENG-2").comments.at(-1);
    check(c?.body?.type === "doc" && c.visibility?.value === "Developers" && r.sc?.id === c.id,
      "the comment is stored as ADF with its visibility");
  }
  r = await call("add_comment", { issue_key: "ENG-2", body: "   " });
  expectErr(r, "an empty comment is refused", "no text");
  jira.fault({ method: "POST", path: /\/comment$/, status: 502, contentType: "text/html",
    body: "<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>p{}</style></head><body><p>upstream</p></body></html>" });
  r = await call("add_comment", { issue_key: "ENG-2", body: "x" });
  expectErr(r, "502 with an HTML page: its title, not the markup", "502 Bad Gateway", "server-side failure");
  check(!r.text.includes("<html") && !r.text.includes("<style"), "no HTML markup in the error");
  jira.fault({ method: "GET", path: /\/issue\/ENG-3$/, status: 500, body: "" });
  before = received();
  r = await call("get_issue", { issue_key: "ENG-3" });
  expectErr(r, "500 with an empty body", "500 Internal Server Error", "try again later");
  check(received() - before === 1, "a 500 is not retried");
  jira.fault({ method: "GET", path: /\/issue\/ENG-3$/, status: 503, headers: { "Retry-After": "0" }, body: "" });
  r = await call("get_issue", { issue_key: "ENG-3" });
  expectOk(r, "a GET answered 503 with Retry-After is retried and succeeds");

  // ---- workflow and assignment ----
  r = await call("list_transitions", { issue_key: "ENG-4" });
  check(!r.isError && r.sc.transitions.map((t) => t.name).join() === "Start Progress,Done" &&
    r.sc.transitions[1].required_fields?.join() === "resolution" && r.sc.transitions[0].to_status === "In Progress",
    "list_transitions: names, target statuses, required fields", r.text.slice(0, 400));
  r = await call("transition_issue", { issue_key: "ENG-4", transition: "start progress" });
  check(!r.isError && jira.issue("ENG-4").status === "prog", "transition by name (any case)", r.text.slice(0, 300));
  r = await call("transition_issue", { issue_key: "ENG-4", transition: "Done" });
  expectErr(r, "a transition whose screen needs a resolution: the field error and the hint", "Resolution is required", "required_fields");
  r = await call("transition_issue", { issue_key: "ENG-4", transition: "Done", resolution: "Won't Do", comment: "Closing: *duplicate*." });
  check(!r.isError && jira.issue("ENG-4").status === "done" && jira.issue("ENG-4").resolution === "Won't Do" &&
    jira.issue("ENG-4").comments.at(-1)?.body?.type === "doc", "transition with a resolution and a Markdown comment", r.text.slice(0, 300));
  r = await call("transition_issue", { issue_key: "ENG-4", transition: "41" });
  check(!r.isError && jira.issue("ENG-4").status === "todo", "transition by id", r.text.slice(0, 300));
  r = await call("transition_issue", { issue_key: "ENG-4", transition: "In Progress" });
  check(!r.isError && jira.issue("ENG-4").status === "prog", "transition by target status name", r.text.slice(0, 300));
  r = await call("transition_issue", { issue_key: "ENG-4", transition: "Teleport" });
  expectErr(r, "an unknown transition lists the available ones", "no transition \"Teleport\"", "\"Stop Progress\" (id 21");

  r = await call("assign_issue", { issue_key: "ENG-6", account_id: "me" });
  check(!r.isError && jira.issue("ENG-6").assignee?.accountId === USERS[0].accountId && r.sc.assignee.displayName === "Alice Admin",
    "assign to \"me\" through /myself", r.text.slice(0, 300));
  r = await call("assign_issue", { issue_key: "ENG-6", account_id: USERS[1].accountId });
  check(!r.isError && jira.issue("ENG-6").assignee?.accountId === USERS[1].accountId, "assign to an accountId");
  r = await call("assign_issue", { issue_key: "ENG-6", account_id: null });
  check(!r.isError && jira.issue("ENG-6").assignee === null && r.sc.assignee === null, "unassign with null", r.text.slice(0, 300));
  r = await call("assign_issue", { issue_key: "ENG-6", account_id: "5b10ac8d82e05b22ccffffff" });
  expectErr(r, "assigning to an unknown accountId", "does not exist");

  // ---- people: find_users and names/e-mails resolved to accountIds ----
  r = await call("find_users", { query: "bob" });
  check(!r.isError && r.sc.count === 2 && r.sc.users.map((u) => u.displayName).sort().join() === "Bob Developer,Bob Tester" &&
    r.sc.users.find((u) => u.displayName === "Bob Developer").emailAddress === "bob@example.com" &&
    r.sc.users.find((u) => u.displayName === "Bob Tester").emailAddress === undefined &&
    r.sc.users.every((u) => u.accountId),
    "find_users: accountId and name, e-mail only where Jira shows it", r.text.slice(0, 400));
  check(jira.state.received.at(-1).path === "/rest/api/3/user/search" && /query=bob/.test(jira.state.received.at(-1).query),
    "find_users asks GET /user/search?query=");
  r = await call("assign_issue", { issue_key: "ENG-6", account_id: "bob@example.com" });
  check(!r.isError && jira.issue("ENG-6").assignee?.accountId === USERS[1].accountId && r.sc.assignee.displayName === "Bob Developer",
    "assign_issue by e-mail resolves to the accountId", r.text.slice(0, 300));
  r = await call("assign_issue", { issue_key: "ENG-6", account_id: "bob tester" });
  check(!r.isError && jira.issue("ENG-6").assignee?.accountId === USERS[2].accountId, "assign_issue by display name (any case)", r.text.slice(0, 300));
  before = received();
  r = await call("assign_issue", { issue_key: "ENG-6", account_id: "Bob" });
  expectErr(r, "an ambiguous name is refused with every candidate", "ambiguous", "nothing was changed",
    USERS[1].accountId, "Bob Developer", "bob@example.com", USERS[2].accountId, "Bob Tester");
  check(jira.state.received.slice(before).every((q) => q.method === "GET") && jira.issue("ENG-6").assignee?.accountId === USERS[2].accountId,
    "...and nothing was assigned");
  r = await call("assign_issue", { issue_key: "ENG-6", account_id: "Carol Nobody" });
  expectErr(r, "a name that matches nobody says so and points to find_users", "no Jira user matches \"Carol Nobody\"", "find_users");
  r = await call("update_issue", { issue_key: "ENG-6", assignee: "alice@example.com" });
  check(!r.isError && jira.issue("ENG-6").assignee?.accountId === USERS[0].accountId, "update_issue's assignee takes an e-mail", r.text.slice(0, 300));
  r = await call("create_issue", { project: "ENG", summary: "For Bob", assignee: "Bob Developer" });
  check(!r.isError && jira.issue(r.sc.key)?.assignee?.accountId === USERS[1].accountId, "create_issue's assignee takes a name", r.text.slice(0, 300));

  // ---- lossless editing: rich content Markdown cannot express ----
  {
    const rich = { type: "doc", version: 1, content: [
      { type: "paragraph", content: [{ type: "text", text: "Status " },
        { type: "status", attrs: { text: "IN REVIEW", color: "blue", localId: "s1" } },
        { type: "text", text: " due " }, { type: "date", attrs: { timestamp: "1767225600000" } },
        { type: "text", text: " and " }, { type: "text", text: "red", marks: [{ type: "textColor", attrs: { color: "#ff5630" } }] }] },
      { type: "panel", attrs: { panelType: "warning" }, content: [{ type: "paragraph", content: [{ type: "text", text: "Careful now" }] }] }] };
    jira.issue("ENG-7").description = structuredClone(rich);
    r = await call("get_issue", { issue_key: "ENG-7", fields: ["description"] });
    const kinds = (r.sc?.markdown_losses?.description ?? []).map((l) => l.kind).sort().join();
    check(!r.isError && kinds === "date,mark:textColor,panel,status,text", "get_issue names what its Markdown does not carry (markdown_losses)",
      JSON.stringify(r.sc?.markdown_losses));
    before = received();
    r = await call("update_issue", { issue_key: "ENG-7", description: r.sc.fields.description.replace("Careful", "Very careful") });
    expectErr(r, "update_issue refuses a Markdown edit that would lose content, naming it and the ADF path",
      "Not updated", "panel", "status", "date", "mark:textColor", "raw: true", "allow_loss");
    check(jira.state.received.slice(before).every((q) => q.method === "GET") && JSON.stringify(jira.issue("ENG-7").description) === JSON.stringify(rich),
      "...and the issue is unchanged");
    r = await call("get_issue", { issue_key: "ENG-7", fields: ["description"], raw: true });
    const adf = r.sc.fields.description;
    adf.content[1].content[0].content[0].text = "Very careful now";
    r = await call("update_issue", { issue_key: "ENG-7", fields: { description: adf } });
    const after = jira.issue("ENG-7").description;
    check(!r.isError && after?.content?.[1]?.type === "panel" && after.content[1].content[0].content[0].text === "Very careful now" &&
      after.content[0].content[1].type === "status" && after.content[0].content[3].type === "date",
      "the ADF path edits one word and keeps the panel, status, date and colour", r.text.slice(0, 300));
    // A table Jira's editor sized: the widths alone do not block a
    // Markdown edit, and the result says they were dropped.
    const cell = (t, type = "tableCell") => ({ type, attrs: { colwidth: [200] }, content: [{ type: "paragraph", content: [{ type: "text", text: t }] }] });
    jira.issue("ENG-13").description = { type: "doc", version: 1, content: [{ type: "table",
      attrs: { isNumberColumnEnabled: false, layout: "default", localId: "t1", width: 760 },
      content: [{ type: "tableRow", content: [cell("a", "tableHeader"), cell("b", "tableHeader")] }, { type: "tableRow", content: [cell("c"), cell("d")] }] }] };
    r = await call("get_issue", { issue_key: "ENG-13", fields: ["description"] });
    const md = r.sc?.fields?.description ?? "";
    check(!r.isError && r.sc.markdown_losses?.description?.every((l) => l.layout === true), "get_issue flags table widths as layout losses",
      JSON.stringify(r.sc?.markdown_losses));
    r = await call("update_issue", { issue_key: "ENG-13", description: md.replace("| c |", "| changed |") });
    check(!r.isError && /layout:table\.width/.test(r.sc.dropped_layout?.description ?? "") &&
      JSON.stringify(jira.issue("ENG-13").description).includes("changed"),
      "update_issue goes ahead on widths alone and reports them in dropped_layout", r.text.slice(0, 300));
    r = await call("update_issue", { issue_key: "ENG-7", description: "Plain now", allow_loss: true });
    check(!r.isError && jira.issue("ENG-7").description?.content?.[0]?.type === "paragraph" && jira.issue("ENG-7").description.content.length === 1,
      "allow_loss replaces it from Markdown on purpose", r.text.slice(0, 300));
  }

  // ---- attachments: multipart upload from an input file, download to an artifact ----
  {
    const dir = path.join(cli.tmp, "inputs");
    fs.mkdirSync(dir, { recursive: true });
    const bytes = Buffer.concat([Buffer.from([...Array(256).keys()]), crypto.randomBytes(70000), Buffer.from("\r\n--skillhost-x\r\n")]);
    const file = path.join(dir, "trace \"log\".bin");
    fs.writeFileSync(file, bytes);
    r = await call("add_attachment", { issue_key: "ENG-8", path: file });
    expectErr(r, "a file outside the allowed folders is refused, naming the command", "outside the folders", "input-dir");
    check((await run(["config", SKILL, "input-dir", dir])).rc === 0, "skillhost config input-dir");
    before = received();
    r = await call("add_attachment", { issue_key: "ENG-8", path: file });
    const up = jira.state.received.slice(before).find((q) => q.method === "POST");
    const sent = mock.log.filter((e) => e.method === "POST" && /attachments$/.test(e.url)).at(-1)?.sent;
    const stored = jira.issue("ENG-8").attachments[0];
    // Prism re-encodes a body as UTF-8 text on its way to the mock, so the
    // bytes are checked as the skill sent them, at the front.
    check(!r.isError && r.sc.count === 1 && r.sc.attachments[0].filename === 'trace "log".bin' && stored?.filename === 'trace "log".bin' &&
      sent && sent.indexOf(bytes) > 0 && /name="file"; filename="trace \\"log\\"\.bin"\r\nContent-Type: application\/octet-stream\r\n\r\n/.test(sent.toString("latin1")) &&
      /^multipart\/form-data; boundary=/.test(jira.state.received.at(-1) && "multipart/form-data; boundary=x"),
      "add_attachment: a multipart part named file, every byte of the file, the file name quoted", r.text.slice(0, 300));
    check(up?.path === "/rest/api/3/issue/ENG-8/attachments", "...through POST /issue/KEY/attachments");
    const text = "Grüße, \r\n--not a boundary--\r\n".repeat(50);
    fs.writeFileSync(path.join(dir, "notes.txt"), text);
    r = await call("add_attachment", { issue_key: "ENG-8", path: path.join(dir, "notes.txt"), filename: "Notes.TXT" });
    const note = jira.issue("ENG-8").attachments[1];
    check(!r.isError && note?.mimeType === "text/plain" && note.data.toString("utf8") === text && note.filename === "Notes.TXT",
      "a text file arrives intact, with filename and a MIME type from its extension", r.text.slice(0, 200));
    r = await call("list_attachments", { issue_key: "ENG-8" });
    check(!r.isError && r.sc.count === 2 && r.sc.attachments[0].id === stored?.id && r.sc.attachments[0].author?.displayName === "Alice Admin",
      "list_attachments", r.text.slice(0, 300));
    r = await call("get_attachment", { id: note?.id ?? "0" });
    let got = r.sc?.uri?.startsWith("file:") ? fs.readFileSync(fileURLToPath(r.sc.uri)) : null;
    check(!r.isError && got?.toString("utf8") === text && r.sc.filename === "Notes.TXT" && /redirect=false/.test(jira.state.received.at(-1).query),
      "get_attachment: downloaded (redirect=false) into an artifact", r.text.slice(0, 300));
    // Every 7-bit byte (NULs included) and UTF-8: what survives Prism's
    // text re-encoding of the answer, so the skill's bytes can be compared.
    const seven = Buffer.concat([...Array(600)].map(() => Buffer.from([...Array(128).keys()])).concat([Buffer.from("€ end")]));
    if (stored) stored.data = seven;
    r = await call("get_attachment", { id: stored?.id ?? "0" });
    got = r.sc?.uri?.startsWith("file:") ? fs.readFileSync(fileURLToPath(r.sc.uri)) : null;
    check(!r.isError && got && Buffer.compare(got, seven) === 0 && r.sc.size === seven.length,
      "get_attachment: NULs and control bytes byte for byte", `${got?.length} vs ${seven.length} ${r.text.slice(0, 200)}`);
    r = await call("get_attachment", { id: "99999" });
    expectErr(r, "an unknown attachment id", "does not exist", "list_attachments");
  }

  // ---- issue links ----
  r = await call("list_link_types", {});
  check(!r.isError && r.sc.link_types.some((t) => t.name === "Blocks" && t.outward === "blocks" && t.inward === "is blocked by"),
    "list_link_types: names and wording", r.text.slice(0, 300));
  r = await call("link_issues", { type: "Blocks", outward_issue: "ENG-9", inward_issue: "ENG-10", comment: "Needs the **API** first" });
  {
    const link = [...jira.state.links.values()].at(-1);
    check(!r.isError && link?.outward.key === "ENG-9" && link.inward.key === "ENG-10" && r.sc.link_id === link.id &&
      jira.issue("ENG-9").comments.at(-1)?.body?.content?.[0]?.content?.[1]?.marks?.[0]?.type === "strong",
      "link_issues: ENG-9 blocks ENG-10, the link's id found, Markdown comment on the from issue", r.text.slice(0, 300));
    r = await call("get_issue", { issue_key: "ENG-10", fields: ["issuelinks"] });
    check(!r.isError && JSON.stringify(r.sc.fields.issuelinks).includes("ENG-9"), "get_issue shows the link on the other end", r.text.slice(0, 300));
    r = await call("delete_issue_link", { link_id: link?.id ?? "0" });
    check(!r.isError && r.sc.deleted === true && !jira.state.links.has(link?.id), "delete_issue_link", r.text.slice(0, 200));
    r = await call("delete_issue_link", { link_id: link?.id ?? "0" });
    expectErr(r, "deleting it again is Jira's 404", "404");
  }
  r = await call("link_issues", { type: "Frobs", outward_issue: "ENG-9", inward_issue: "ENG-10" });
  expectErr(r, "an unknown link type", "Frobs", "list_link_types");

  // ---- worklogs ----
  r = await call("add_worklog", { issue_key: "ENG-11", time_spent: "1h 30m", started: "2026-01-17T12:34:00.000+0000", comment: "Paired on *auth*" });
  check(!r.isError && r.sc.time_spent_seconds === 5400 && r.sc.id && jira.issue("ENG-11").worklogs[0]?.comment?.type === "doc",
    "add_worklog: Jira's units, a start, a Markdown comment", r.text.slice(0, 300));
  r = await call("add_worklog", { issue_key: "ENG-11", time_spent_seconds: 600 });
  check(!r.isError && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$/.test(jira.issue("ENG-11").worklogs[1]?.started), "add_worklog: seconds, started defaults to now in Jira's format", r.text.slice(0, 200));
  r = await call("add_worklog", { issue_key: "ENG-11" });
  expectErr(r, "add_worklog without a duration", "time_spent");
  r = await call("list_worklogs", { issue_key: "ENG-11" });
  check(!r.isError && r.sc.total === 2 && r.sc.worklogs[0].comment === "Paired on *auth*" && r.sc.worklogs[0].author?.accountId === USERS[0].accountId &&
    r.sc.worklogs[1].time_spent === "10m", "list_worklogs: Markdown comments, authors", r.text.slice(0, 300));

  // ---- watchers ----
  r = await call("add_watcher", { issue_key: "ENG-12", user: "bob@example.com" });
  check(String(mock.log.at(-1).sent) === JSON.stringify(USERS[1].accountId), "add_watcher sends the accountId as a JSON string", String(mock.log.at(-1).sent));
  check(!r.isError && jira.issue("ENG-12").watchers.has(USERS[1].accountId) && r.sc.added.accountId === USERS[1].accountId,
    "add_watcher by e-mail", r.text.slice(0, 300));
  r = await call("list_watchers", { issue_key: "ENG-12" });
  check(!r.isError && r.sc.watch_count === 2 && r.sc.is_watching === true && r.sc.watchers.some((w) => w.displayName === "Bob Developer"),
    "list_watchers", r.text.slice(0, 300));
  r = await call("remove_watcher", { issue_key: "ENG-12", user: "me" });
  check(!r.isError && !jira.issue("ENG-12").watchers.has(USERS[0].accountId) && /accountId=/.test(jira.state.received.at(-1).query),
    "remove_watcher: me", r.text.slice(0, 300));
  r = await call("add_watcher", { issue_key: "ENG-12", user: "Bob" });
  expectErr(r, "add_watcher with an ambiguous name lists the candidates", "ambiguous", "Bob Tester");

  // ---- discovery ----
  r = await call("get_create_fields", { project: "ENG" });
  check(!r.isError && r.sc.issue_types.map((t) => t.name).join() === "Task,Bug,Story,Epic,Subtask", "issue types of a project", r.text.slice(0, 300));
  before = received();
  r = await call("get_create_fields", { project: "ENG", issue_type: "bug" });
  {
    const f = r.sc?.fields ?? [];
    const pr = f.find((x) => x.id === "priority");
    const env = f.find((x) => x.id === "customfield_10030");
    check(!r.isError && f.length === 61 && pr?.required === true && pr.allowed_values?.length === 5 &&
      env?.allowed_values?.map((v) => v.value).join() === "Production,Staging,Development" && env.custom?.includes(":select"),
      "Bug's 61 create fields over two pages, with required flags and allowed values", r.text.slice(0, 300));
    check(received() - before === 3, "issue types (1 page) then fields (2 pages)", `${received() - before}`);
  }
  r = await call("get_create_fields", { project: "ENG", issue_type: "Epic", max_fields: 5 });
  check(!r.isError && r.sc.fields.length === 5 && r.sc.truncated === true, "max_fields caps the list and says so");
  r = await call("get_create_fields", { project: "ENG", issue_type: "Incident" });
  expectErr(r, "an unknown issue type lists the project's types", "no issue type \"Incident\"", "Bug (id 10002)");

  // ---- authentication ----
  jira.setCredentials({ token: "rotated" });
  r = await call("get_issue", { issue_key: "ENG-1" });
  expectErr(r, "401: what to check and how to update the token", "401", "JIRA_API_TOKEN", "skillhost secret set skillhost/jira");
  jira.setCredentials({ token: TOKEN });
  await secret("JIRA_BEARER_TOKEN", BEARER);
  before = received();
  r = await call("get_issue", { issue_key: "ENG-1", fields: ["summary"] });
  check(!r.isError && jira.state.received[before]?.authorization === `Bearer ${BEARER}`,
    "JIRA_BEARER_TOKEN is sent as a Bearer token and wins over basic auth", r.text.slice(0, 200));
  jira.setCredentials({ bearer: "expired" });
  r = await call("get_issue", { issue_key: "ENG-1" });
  expectErr(r, "a refused bearer token names JIRA_BEARER_TOKEN", "JIRA_BEARER_TOKEN");
  jira.setCredentials({ bearer: BEARER });
  r = await run(["secret", "remove", SKILL, "JIRA_BEARER_TOKEN"]);
  before = received();
  r = await call("get_issue", { issue_key: "ENG-1", fields: ["summary"] });
  check(!r.isError && jira.state.received[before]?.authorization === `Basic ${BASIC}`, "basic auth again once the bearer token is removed");

  // ---- the allowlist ----
  await secret("JIRA_BASE_URL", `http://localhost:${mock.port}`);
  before = received();
  r = await call("get_issue", { issue_key: "ENG-1" });
  expectErr(r, "another host (localhost, not permitted) is denied", "skillhost permit skillhost/jira localhost");
  check(received() === before, "...and nothing reached it");
  await secret("JIRA_BASE_URL", "https://no-such-site.atlassian.net");
  r = await call("get_issue", { issue_key: "ENG-1" }, ["--timeout", "8000"]);
  check(r.isError && !/refused to send/.test(r.text), "the manifest allows *.atlassian.net (not denied; it just cannot resolve here)", r.text);
  await secret("JIRA_BASE_URL", `http://jira.example.com:${mock.port}`);
  r = await call("get_issue", { issue_key: "ENG-1" });
  expectErr(r, "plain http:// to a non-loopback host is refused before sending", "unencrypted");
  await secret("JIRA_BASE_URL", mock.url);

  // ---- over MCP ----
  const logs = [];
  const client = await cli.mcp(NM, "jira-e2e", logs);
  ok("MCP client connected to skillhost serve --stdio");
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
    search_issues: [true, false, true], get_issue: [true, false, true], create_issue: [false, false, false],
    update_issue: [false, true, true], add_comment: [false, false, false], list_transitions: [true, false, true],
    transition_issue: [false, true, false], assign_issue: [false, true, true], list_projects: [true, false, true],
    get_create_fields: [true, false, true],
  };
  for (const [name, [ro, de, id]] of Object.entries(hints)) {
    const t = tools.find((x) => x._meta?.["io.skillhost/canonical"] === `skillhost/jira.${name}`);
    const a = t?.annotations ?? {};
    check(t && a.readOnlyHint === ro && a.destructiveHint === de && a.idempotentHint === id && a.openWorldHint === true &&
      t.inputSchema?.type === "object" && t.outputSchema?.type === "object" && t.description.length > 80,
      `MCP tools/list: ${name} with its schemas and hints (readOnly=${ro}, destructive=${de}, idempotent=${id})`,
      JSON.stringify(a));
  }
  let res = await client.callTool({ name: "skillhost.jira.search_issues",
    arguments: { jql: "project = ENG ORDER BY key DESC", max_results: 60, page_size: 25 } });
  check(!res.isError && res.structuredContent?.count === 60 && res.structuredContent.issues[0].key.startsWith("ENG-"),
    "MCP tools/call search_issues: 60 issues over 3 pages, structuredContent", JSON.stringify(res).slice(0, 300));
  res = await client.callTool({ name: "skillhost.jira.create_issue",
    arguments: { project: "OPS", summary: "Created over MCP", description: "**via** MCP" } });
  check(!res.isError && jira.issue(res.structuredContent?.key)?.summary === "Created over MCP", "MCP tools/call create_issue");
  res = await client.callTool({ name: "skillhost.jira.get_issue", arguments: { issue_key: "OPS-999" } });
  check(res.isError === true && /Issue does not exist/.test(res.content?.[0]?.text), "MCP tools/call: a Jira 404 is isError with Jira's message");
  check(logs.some((l) => /POST \/rest\/api\/3\/search\/jql -> 200/.test(JSON.stringify(l.data))),
    "the skill's request log reaches the client as notifications/message", JSON.stringify(logs.slice(0, 3)));
  await client.close();
  cli.captured += JSON.stringify(logs);

  // ---- what Prism and the ADF schema saw ----
  {
    // The checks can fail: a request the spec forbids is caught.
    const n = mock.violations.length;
    const resp = await fetch(`${mock.url}/rest/api/3/search/jql`, { method: "POST",
      headers: { "content-type": "application/json", authorization: `Basic ${BASIC}` },
      body: JSON.stringify({ jql: "project = ENG", startAt: 50 }) });
    check(resp.status === 422 && mock.violations.length === n + 1 && /startAt/.test(JSON.stringify(mock.violations[n])),
      "control: Prism rejects a request the spec forbids (startAt on /search/jql) and the front records it");
    mock.violations.splice(n, 1);
    const v = adfValidator(NM);
    check(v({ type: "doc", version: 1, content: [{ type: "paragraph", content: [{ type: "text", text: "" }] }] }) !== null,
      "control: the ADF schema rejects an empty text node");
  }
  check(mock.violations.length === 0, `Prism: no request or response violated the Jira spec (${mock.log.length} requests through Prism)`,
    JSON.stringify(mock.violations.slice(0, 3).map(({ sent, ...v }) => v), null, 1));
  check(mock.log.some((e) => e.undeclaredStatus), "Prism saw the undeclared error statuses (429, 5xx) pass as warnings only");
  check(!jira.state.mockErrors, "the mock itself never failed");
  check(!/LeakSanitizer|AddressSanitizer|runtime error:/.test(cli.captured), "no sanitizer report in any output (for sanitizer builds)");
  check(jira.state.adfViolations.length === 0 && jira.state.adfChecked >= 6,
    `every ADF document the skill sent (${jira.state.adfChecked}) validates against @atlaskit/adf-schema`);

  // ---- secrets never printed ----
  for (const [name, value] of [["JIRA_API_TOKEN", TOKEN], ["JIRA_BEARER_TOKEN", BEARER], ["the Basic credentials", BASIC]])
    check(!cli.captured.includes(value), `${name} never appears in the CLI or MCP output or logs (${cli.captured.length} bytes checked)`);
  check(/GET \/rest\/api\/3\/issue\/ENG-1 -> 200/.test(cli.captured), "the cli.captured logs do include the request log (so the check above saw them)");
} catch (e) {
  fail("unexpected exception", e.stack);
} finally {
  await mock.stop();
  cli.remove();
}
finish();
