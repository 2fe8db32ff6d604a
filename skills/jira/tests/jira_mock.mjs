// A stateful Jira Cloud (REST v3) for the skill's tests, put behind Prism:
//
//   skill --> front (records) --> prism proxy --errors (Atlassian's spec)
//         --> backend (this file's Jira: projects, issues, workflow,
//             comments, users, create metadata, JQL, pagination)
//
// Prism refuses any request the official OpenAPI document forbids (and
// checks the backend's answers against it); the front records what Prism
// said, so a test fails on any violation. Every rich-text value the skill
// sends is validated against Atlassian's ADF schema. Faults (429 with
// Retry-After, 403, 500, HTML bodies...) are injected in the backend, so
// they too pass through Prism like a real answer, and a faulted request
// changes nothing, as on the real service.
import http from "node:http";
import net from "node:net";
import { spawn } from "node:child_process";
import path from "node:path";
import { takeFault } from "../../common/tests/harness.mjs";
import { adfValidator } from "./adf_schema.mjs";

const SITE = "https://mock.atlassian.net";
const API = "/rest/api/3";

export const USERS = [
  { accountId: "5b10a2844c20165700ede21g", displayName: "Alice Admin",
    emailAddress: "alice@example.com" },
  { accountId: "5b10ac8d82e05b22cc7d4ef5", displayName: "Bob Developer",
    emailAddress: "bob@example.com" },
  // Keeps the e-mail address private: Jira leaves emailAddress out.
  { accountId: "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077", displayName: "Bob Tester" },
];

const LINK_TYPES = [
  { id: "10000", name: "Blocks", inward: "is blocked by", outward: "blocks" },
  { id: "10001", name: "Relates", inward: "relates to", outward: "relates to" },
  { id: "10002", name: "Duplicate", inward: "is duplicated by", outward: "duplicates" },
];

// "1w 2d 3h 4m" in seconds (Jira's defaults: 5-day weeks, 8-hour days).
function jiraDuration(s) {
  const unit = { w: 5 * 8 * 3600, d: 8 * 3600, h: 3600, m: 60 };
  const parts = String(s).trim().split(/\s+/);
  let total = 0;
  for (const p of parts) {
    const m = /^(\d+(?:\.\d+)?)([wdhm])$/.exec(p);
    if (!m) return null;
    total += Number(m[1]) * unit[m[2]];
  }
  return Math.round(total);
}
const formatDuration = (secs) => {
  const out = [];
  for (const [u, n] of [["w", 144000], ["d", 28800], ["h", 3600], ["m", 60]]) {
    if (secs >= n) { out.push(`${Math.floor(secs / n)}${u}`); secs %= n; }
  }
  return out.join(" ") || "0m";
};

// A multipart/form-data body (RFC 7578) as [{name, filename, type, data}].
function parseMultipart(raw, contentType) {
  const b = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? "");
  if (!b) return null;
  const delim = Buffer.from(`--${b[1] ?? b[2]}`);
  const parts = [];
  let pos = raw.indexOf(delim);
  while (pos >= 0) {
    pos += delim.length;
    if (raw.slice(pos, pos + 2).toString() === "--") return parts;
    if (raw.slice(pos, pos + 2).toString() !== "\r\n") return null;
    pos += 2;
    const headEnd = raw.indexOf("\r\n\r\n", pos);
    if (headEnd < 0) return null;
    const head = raw.slice(pos, headEnd).toString("utf8");
    const next = raw.indexOf(Buffer.concat([Buffer.from("\r\n"), delim]), headEnd + 4);
    if (next < 0) return null;
    const disp = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(head)?.[1] ?? "";
    const param = (k) => { const m = new RegExp(`${k}="((?:\\\\.|[^"\\\\])*)"`, "i").exec(disp); return m ? m[1].replace(/\\(.)/g, "$1") : null; };
    parts.push({ name: param("name"), filename: param("filename"),
      type: /content-type:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim() ?? "text/plain", data: raw.slice(headEnd + 4, next) });
    pos = next + 2;
  }
  return null;
}

const STATUS = {
  todo: { id: "10000", name: "To Do", cat: { id: 2, key: "new", name: "To Do", colorName: "blue-gray" } },
  prog: { id: "3", name: "In Progress", cat: { id: 4, key: "indeterminate", name: "In Progress", colorName: "yellow" } },
  done: { id: "10001", name: "Done", cat: { id: 3, key: "done", name: "Done", colorName: "green" } },
};
// From each status: [id, name, to, needs a resolution]
const WORKFLOW = {
  todo: [["11", "Start Progress", "prog"], ["31", "Done", "done", true]],
  prog: [["21", "Stop Progress", "todo"], ["31", "Done", "done", true]],
  done: [["41", "Reopen", "todo"]],
};
const RESOLUTIONS = ["Done", "Won't Do", "Duplicate"];
const PRIORITIES = ["Highest", "High", "Medium", "Low", "Lowest"].map(
  (name, i) => ({ id: String(i + 1), name }));
const ISSUE_TYPES = [
  { id: "10001", name: "Task", subtask: false, hierarchyLevel: 0 },
  { id: "10002", name: "Bug", subtask: false, hierarchyLevel: 0 },
  { id: "10003", name: "Story", subtask: false, hierarchyLevel: 0 },
  { id: "10000", name: "Epic", subtask: false, hierarchyLevel: 1 },
  { id: "10004", name: "Subtask", subtask: true, hierarchyLevel: -1 },
];
const ENVIRONMENTS = [["10100", "Production"], ["10101", "Staging"], ["10102", "Development"]];
const ROLES = ["Developers", "Administrators"];

// The fields an issue type takes on create (and edit): [id, name, schema,
// required for these types]. Bug also has 48 extra optional custom fields,
// so its create metadata spans two pages.
const FIELD_DEFS = [
  ["summary", "Summary", { type: "string", system: "summary" }, ["*"]],
  ["issuetype", "Issue Type", { type: "issuetype", system: "issuetype" }, ["*"]],
  ["project", "Project", { type: "project", system: "project" }, ["*"]],
  ["description", "Description", { type: "string", system: "description" }, []],
  ["priority", "Priority", { type: "priority", system: "priority" }, ["Bug"]],
  ["labels", "Labels", { type: "array", items: "string", system: "labels" }, []],
  ["assignee", "Assignee", { type: "user", system: "assignee" }, []],
  ["duedate", "Due date", { type: "date", system: "duedate" }, []],
  ["components", "Components", { type: "array", items: "component", system: "components" }, []],
  ["parent", "Parent", { type: "issuelink", system: "parent" }, ["Subtask"]],
  ["customfield_10011", "Epic Name", { type: "string", custom: "com.pyxis.greenhopper.jira:gh-epic-label", customId: 10011 }, ["Epic"]],
  ["customfield_10016", "Story Points", { type: "number", custom: "com.atlassian.jira.plugin.system.customfieldtypes:float", customId: 10016 }, []],
  ["customfield_10030", "Environment", { type: "option", custom: "com.atlassian.jira.plugin.system.customfieldtypes:select", customId: 10030 }, []],
  ["customfield_10050", "Steps to Reproduce", { type: "string", custom: "com.atlassian.jira.plugin.system.customfieldtypes:textarea", customId: 10050 }, []],
];
const EXTRA_BUG_FIELDS = Array.from({ length: 48 }, (_, i) => [
  `customfield_${11000 + i}`, `Extra ${i + 1}`,
  { type: "string", custom: "com.atlassian.jira.plugin.system.customfieldtypes:textfield", customId: 11000 + i }, []]);
const COMPONENTS = [["10200", "Backend"], ["10201", "Frontend"]];

const RICH = new Set(["description", "customfield_10050", "environment"]);

function fieldsFor(typeName) {
  const defs = FIELD_DEFS.filter(([id]) =>
    !(id === "parent" && typeName === "Epic") &&
    !(id === "customfield_10011" && typeName !== "Epic") &&
    !(id === "customfield_10050" && typeName !== "Bug"));
  return typeName === "Bug" ? defs.concat(EXTRA_BUG_FIELDS) : defs;
}

const errorCollection = (messages = [], errors = {}) =>
  ({ errorMessages: messages, errors });

class HttpError extends Error {
  constructor(status, body, headers = {}) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}
const bad = (messages, errors) =>
  new HttpError(400, errorCollection(messages, errors));

function userBean(u) {
  return {
    self: `${SITE}${API}/user?accountId=${u.accountId}`,
    accountId: u.accountId, accountType: "atlassian",
    emailAddress: u.emailAddress, displayName: u.displayName, active: true,
    timeZone: "Europe/Berlin",
    avatarUrls: { "48x48": `${SITE}/avatar/${u.accountId}.png` },
  };
}
const statusBean = (k) => ({
  self: `${SITE}${API}/status/${STATUS[k].id}`, id: STATUS[k].id,
  name: STATUS[k].name, iconUrl: `${SITE}/images/status.png`,
  description: "",
  statusCategory: { self: `${SITE}${API}/statuscategory/${STATUS[k].cat.id}`, ...STATUS[k].cat },
});
const typeBean = (t) => ({
  self: `${SITE}${API}/issuetype/${t.id}`, id: t.id, name: t.name,
  description: `A ${t.name.toLowerCase()}.`, subtask: t.subtask,
  iconUrl: `${SITE}/images/${t.name}.png`, avatarId: 10300,
  hierarchyLevel: t.hierarchyLevel,
});
const priorityBean = (p) => ({
  self: `${SITE}${API}/priority/${p.id}`, id: p.id, name: p.name,
  iconUrl: `${SITE}/images/priority.svg`,
});

// ---- JQL (the subset tickets use) ----

function tokenizeJql(s) {
  const out = [];
  const re = /\s*(?:("(?:[^"\\]|\\.)*")|('(?:[^'\\]|\\.)*')|(!=|!~|>=|<=|=|~|>|<|\(|\)|,)|([A-Za-z0-9_.\-@]+(?:\(\))?))/y;
  let m;
  re.lastIndex = 0;
  while (re.lastIndex < s.length) {
    if (/^\s*$/.test(s.slice(re.lastIndex))) break;
    const at = re.lastIndex;
    if (!(m = re.exec(s)))
      throw bad([`Error in the JQL Query: The character '${s[at]}' is a reserved JQL character. (line 1, character ${at + 1})`]);
    if (m[1] || m[2]) out.push({ v: JSON.parse(m[1] || `"${m[2].slice(1, -1)}"`), q: true });
    else out.push({ v: m[3] || m[4] });
  }
  return out;
}

const JQL_FIELDS = new Set(["project", "status", "statuscategory", "assignee",
  "key", "labels", "text", "summary", "issuetype", "type", "priority", "reporter"]);

function parseJql(jql) {
  const t = tokenizeJql(jql);
  let i = 0;
  const clauses = [];
  const order = [];
  const peek = () => t[i] && !t[i].q ? t[i].v.toLowerCase() : null;
  while (i < t.length && peek() !== "order") {
    if (clauses.length) {
      if (peek() !== "and")
        throw bad([`Error in the JQL Query: Expecting either 'OR' or 'AND' but got '${t[i].v}'. (line 1, character ${i + 1})`]);
      i++;
    }
    const field = t[i++];
    if (!field || field.q)
      throw bad(["Error in the JQL Query: Expecting a field name."]);
    const f = field.v.toLowerCase();
    if (!JQL_FIELDS.has(f))
      throw bad([`Field '${field.v}' does not exist or you do not have permission to view it.`]);
    let op = t[i++] && t[i - 1].v.toLowerCase();
    if (op === "is" && peek() === "not") { i++; op = "is not"; }
    if (op === "not" && peek() === "in") { i++; op = "not in"; }
    if (!["=", "!=", "~", "in", "not in", "is", "is not"].includes(op))
      throw bad([`Error in the JQL Query: Expecting operator but got '${op}'.`]);
    let values = [];
    if (op === "in" || op === "not in") {
      if (t[i++]?.v !== "(") throw bad(["Error in the JQL Query: Expecting '('."]);
      while (t[i] && t[i].v !== ")") {
        values.push(t[i++].v);
        if (t[i]?.v === ",") i++;
      }
      i++;
    } else {
      if (!t[i]) throw bad(["Error in the JQL Query: Expecting a value."]);
      values = [t[i++].v];
    }
    clauses.push({ f, op, values });
  }
  if (peek() === "order") {
    i++;
    if (peek() !== "by") throw bad(["Error in the JQL Query: Expecting 'by'."]);
    i++;
    while (i < t.length) {
      const f = t[i++].v.toLowerCase();
      let dir = "asc";
      if (peek() === "asc" || peek() === "desc") dir = t[i++].v.toLowerCase();
      order.push({ f, dir });
      if (t[i]?.v === ",") i++;
    }
  }
  if (!clauses.length)
    throw bad(["Unbounded JQL queries are not allowed here. Please add a search restriction to your query."]);
  return { clauses, order };
}

export function createJira({ token, email, bearer } = {}) {
  const validateAdf = adfValidator(process.env.NODE_MODULES_DIR);
  const st = {
    credentials: { email, token, bearer },
    me: USERS[0],
    projects: [],
    issues: new Map(),
    nextId: 10001,
    nextComment: 20001,
    faults: [],
    received: [],      // what reached the backend (after Prism)
    adfViolations: [], // ADF the skill sent that the schema rejects
    adfChecked: 0,
  };
  const mkProject = (key, name, i) => ({
    id: String(10000 + i), key, name, projectTypeKey: "software",
    lead: USERS[i % 2], counter: 0,
  });
  st.projects.push(mkProject("ENG", "Engineering", 0));
  st.projects.push(mkProject("OPS", "Operations", 1));
  for (let i = 1; i <= 118; i++)
    st.projects.push(mkProject(`PRJ${String(i).padStart(3, "0")}`, `Project ${i}`, i + 1));

  const project = (ref) => st.projects.find((p) => p.key === ref?.key || p.id === ref?.id ||
    p.key === ref || p.id === ref);
  const isoNow = () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5) + st.nextId * 60000).toISOString().replace("Z", "+0000");

  function adf(value, where) {
    st.adfChecked++;
    const why = validateAdf(value);
    if (why) {
      st.adfViolations.push({ where, why: why.slice(0, 500), value });
      throw bad([], { [where]: "Operation value must be an Atlassian Document (see the Atlassian Document Format)" });
    }
    return value;
  }
  const paragraphDoc = (text) => ({ type: "doc", version: 1,
    content: [{ type: "paragraph", content: [{ type: "text", text }] }] });

  function addIssue(p, type, fields) {
    const id = String(st.nextId++);
    const key = `${p.key}-${++p.counter}`;
    const issue = {
      id, key, status: "todo", type, project: p,
      summary: fields.summary, description: fields.description ?? null,
      priority: fields.priority ?? PRIORITIES[2], labels: fields.labels ?? [],
      assignee: fields.assignee ?? null, reporter: st.me,
      created: isoNow(), updated: isoNow(), resolution: null,
      duedate: fields.duedate ?? null, components: fields.components ?? [],
      parent: fields.parent ?? null, custom: fields.custom ?? {},
      comments: [], attachments: [], worklogs: [], watchers: new Set([st.me.accountId]),
    };
    st.issues.set(key, issue);
    return issue;
  }
  // Seed: ENG has 130 issues (search pages), OPS a few.
  const eng = st.projects[0], ops = st.projects[1];
  for (let i = 1; i <= 130; i++)
    addIssue(eng, ISSUE_TYPES[i % 3], {
      summary: `Engineering task ${i}`,
      description: paragraphDoc(`Details of task ${i}.`),
      labels: i % 2 ? ["backend"] : ["frontend", "ui"],
      assignee: i % 5 === 0 ? USERS[1] : null,
    });
  // Attachments, links, worklogs and watchers (issue 19).
  st.nextAttachment = 10000;
  st.nextLink = 10100;
  st.nextWorklog = 20000;
  st.links = new Map();
  const first = st.issues.get("ENG-1");
  first.description = {
    type: "doc", version: 1, content: [
      { type: "heading", attrs: { level: 2 }, content: [{ type: "text", text: "Context" }] },
      { type: "paragraph", content: [
        { type: "text", text: "Login fails for " },
        { type: "text", text: "SSO", marks: [{ type: "strong" }] },
        { type: "text", text: " users; see " },
        { type: "text", text: "the runbook", marks: [{ type: "link", attrs: { href: "https://wiki.example.com/runbook" } }] },
        { type: "text", text: "." }] },
      { type: "bulletList", content: [
        { type: "listItem", content: [{ type: "paragraph", content: [{ type: "text", text: "step one" }] }] },
        { type: "listItem", content: [{ type: "paragraph", content: [{ type: "mention", attrs: { id: USERS[1].accountId, text: "@Bob Developer" } }] }] }] },
      { type: "codeBlock", attrs: { language: "sh" }, content: [{ type: "text", text: "curl -v https://sso" }] },
    ] };
  first.custom.customfield_10016 = 5;
  first.comments.push({ id: String(st.nextComment++), author: USERS[1],
    body: paragraphDoc("First comment"), created: isoNow() });
  for (let i = 1; i <= 3; i++)
    addIssue(ops, ISSUE_TYPES[1], { summary: `Ops incident ${i}`, priority: PRIORITIES[1] });

  // ---- beans ----

  const fieldValue = {
    summary: (x) => x.summary,
    description: (x) => x.description,
    status: (x) => statusBean(x.status),
    issuetype: (x) => typeBean(x.type),
    project: (x) => ({ self: `${SITE}${API}/project/${x.project.id}`, id: x.project.id,
      key: x.project.key, name: x.project.name, projectTypeKey: "software",
      simplified: false, avatarUrls: { "48x48": `${SITE}/p.png` } }),
    priority: (x) => priorityBean(x.priority),
    labels: (x) => x.labels,
    assignee: (x) => x.assignee && userBean(x.assignee),
    reporter: (x) => userBean(x.reporter),
    created: (x) => x.created,
    updated: (x) => x.updated,
    resolution: (x) => x.resolution && { self: `${SITE}${API}/resolution/1`, id: "1",
      name: x.resolution, description: "" },
    duedate: (x) => x.duedate,
    components: (x) => x.components.map(([id, name]) => ({ self: `${SITE}${API}/component/${id}`, id, name })),
    parent: (x) => x.parent && { id: x.parent.id, key: x.parent.key,
      self: `${SITE}${API}/issue/${x.parent.id}`,
      fields: { summary: x.parent.summary, status: statusBean(x.parent.status) } },
    comment: (x) => ({ comments: x.comments.map(commentBean(x)), maxResults: x.comments.length,
      total: x.comments.length, startAt: 0 }),
    attachment: (x) => x.attachments.map(attachmentBean),
    issuelinks: (x) => [...st.links.values()].filter((l) => l.outward === x || l.inward === x).map((l) => ({
      id: l.id, self: `${SITE}${API}/issueLink/${l.id}`, type: linkTypeBean(l.type),
      // On the from (outward) issue the other end is the outwardIssue,
      // labelled with the type's outward wording; and the reverse.
      ...(l.outward === x ? { outwardIssue: linkedIssue(l.inward) } : { inwardIssue: linkedIssue(l.outward) }) })),
  };
  const linkedIssue = (y) => ({ id: y.id, key: y.key, self: `${SITE}${API}/issue/${y.id}`,
    fields: { summary: y.summary, status: statusBean(y.status), priority: priorityBean(y.priority), issuetype: typeBean(y.type) } });
  const linkTypeBean = (t) => ({ id: t.id, name: t.name, inward: t.inward, outward: t.outward, self: `${SITE}${API}/issueLinkType/${t.id}` });
  const attachmentBean = (a) => ({ self: `${SITE}${API}/attachment/${a.id}`, id: a.id, filename: a.filename,
    author: userBean(a.author), created: a.created, size: a.data.length, mimeType: a.mimeType,
    content: `${SITE}${API}/attachment/content/${a.id}` });
  const worklogBean = (x) => (w) => ({ self: `${SITE}${API}/issue/${x.id}/worklog/${w.id}`, id: w.id, issueId: x.id,
    author: userBean(w.author), updateAuthor: userBean(w.author), comment: w.comment ?? undefined, created: w.created,
    updated: w.created, started: w.started, timeSpent: w.timeSpent, timeSpentSeconds: w.seconds });
  const FIELD_NAMES = Object.fromEntries([...FIELD_DEFS, ...EXTRA_BUG_FIELDS,
    ["status", "Status"], ["created", "Created"], ["updated", "Updated"],
    ["reporter", "Reporter"], ["resolution", "Resolution"], ["comment", "Comment"]]
    .map(([id, name]) => [id, name]));
  const commentBean = (x) => (c) => ({
    self: `${SITE}${API}/issue/${x.id}/comment/${c.id}`, id: c.id,
    author: { accountId: c.author.accountId, displayName: c.author.displayName, active: true },
    body: c.body, created: c.created, updated: c.created,
    ...(c.visibility ? { visibility: c.visibility } : {}),
  });

  function issueFields(x, wanted) {
    const all = Object.keys(fieldValue);
    const customs = Object.keys(x.custom);
    let names;
    if (!wanted || wanted.includes("*all")) names = [...all, ...customs];
    else if (wanted.includes("*navigable")) names = [...all.filter((n) => n !== "comment"), ...customs];
    else names = wanted;
    const f = {};
    for (const n of names) {
      if (n === "id" || n === "key") continue;
      if (fieldValue[n]) f[n] = fieldValue[n](x) ?? null;
      else if (n.startsWith("customfield_")) f[n] = x.custom[n] ?? null;
    }
    return f;
  }
  function issueBean(x, wanted, expand = "") {
    const bean = { expand: "renderedFields,names,schema,transitions,operations,editmeta,changelog",
      id: x.id, self: `${SITE}${API}/issue/${x.id}`, key: x.key };
    if (!(wanted && wanted.length === 1 && wanted[0] === "id")) bean.fields = issueFields(x, wanted);
    if (expand.split(",").includes("names")) {
      bean.names = {};
      for (const k of Object.keys(bean.fields || {})) if (FIELD_NAMES[k]) bean.names[k] = FIELD_NAMES[k];
    }
    return bean;
  }
  const projectBean = (p) => ({
    self: `${SITE}${API}/project/${p.id}`, id: p.id, key: p.key, name: p.name,
    projectTypeKey: p.projectTypeKey, simplified: false, style: "classic", isPrivate: false,
    avatarUrls: { "48x48": `${SITE}/p.png` },
    lead: { self: `${SITE}${API}/user?accountId=${p.lead.accountId}`, accountId: p.lead.accountId,
      displayName: p.lead.displayName, active: true },
  });
  const transitionBeans = (x, withFields) => WORKFLOW[x.status].map(([id, name, to, needsRes]) => {
    const t = { id, name, to: statusBean(to), hasScreen: !!needsRes, isGlobal: false,
      isInitial: false, isAvailable: true, isConditional: false, isLooped: false };
    if (withFields) {
      t.fields = {};
      if (needsRes) t.fields.resolution = { required: true, hasDefaultValue: false,
        schema: { type: "resolution", system: "resolution" }, name: "Resolution", key: "resolution",
        operations: ["set"], allowedValues: RESOLUTIONS.map((r, i) => ({ id: String(i + 1), name: r })) };
    }
    return t;
  });

  // ---- field values the skill sends ----

  function takeFields(x, fields, typeName, creating) {
    const defs = new Map(fieldsFor(typeName).map((d) => [d[0], d]));
    const errors = {};
    const out = { custom: {} };
    for (const [k, v] of Object.entries(fields)) {
      if (!defs.has(k)) {
        errors[k] = `Field '${k}' cannot be set. It is not on the appropriate screen, or unknown.`;
        continue;
      }
      try {
        switch (k) {
        case "project": case "issuetype": break;
        case "summary":
          if (typeof v !== "string" || !v.trim()) errors.summary = "You must specify a summary of the issue.";
          else if (v.length > 255) errors.summary = "Summary must be less than 255 characters.";
          else out.summary = v;
          break;
        case "description": case "customfield_10050": {
          const doc = v === null ? null : adf(v, k);
          if (k === "description") out.description = doc;
          else out.custom[k] = doc;
          break;
        }
        case "priority": {
          const p = PRIORITIES.find((q) => q.name === v?.name || q.id === v?.id);
          if (!p) errors.priority = `Specify a valid 'id' or 'name' for Priority`;
          else out.priority = p;
          break;
        }
        case "labels":
          if (!Array.isArray(v) || v.some((l) => typeof l !== "string" || /\s/.test(l)))
            errors.labels = "The label can't contain spaces.";
          else out.labels = v;
          break;
        case "assignee": {
          const u = v === null ? null : USERS.find((w) => w.accountId === v?.accountId);
          if (u === undefined) errors.assignee = `User '${v?.accountId}' does not exist.`;
          else out.assignee = u;
          break;
        }
        case "duedate":
          if (v !== null && !/^\d{4}-\d{2}-\d{2}$/.test(v)) errors.duedate = "Error parsing date string: " + v;
          else out.duedate = v;
          break;
        case "components": {
          const cs = (v || []).map((c) => COMPONENTS.find(([id, name]) => id === c.id || name === c.name));
          if (cs.some((c) => !c)) errors.components = "Component name not valid";
          else out.components = cs;
          break;
        }
        case "parent": {
          const p = st.issues.get(v?.key) || [...st.issues.values()].find((i) => i.id === v?.id);
          if (!p) errors.parent = "Could not find issue by id or key.";
          else out.parent = p;
          break;
        }
        case "customfield_10011":
          if (typeof v !== "string" || !v) errors[k] = "Epic Name is required.";
          else out.custom[k] = v;
          break;
        case "customfield_10016":
          if (typeof v !== "number") errors[k] = "Operation value must be a number";
          else out.custom[k] = v;
          break;
        case "customfield_10030": {
          const o = ENVIRONMENTS.find(([id, value]) => id === v?.id || value === v?.value);
          if (!o) errors[k] = `Option value '${v?.value ?? v?.id}' is not valid`;
          else out.custom[k] = { self: `${SITE}${API}/customFieldOption/${o[0]}`, value: o[1], id: o[0] };
          break;
        }
        default:
          if (typeof v !== "string") errors[k] = "Operation value must be a string";
          else out.custom[k] = v;
        }
      } catch (e) {
        if (e instanceof HttpError) Object.assign(errors, e.body.errors);
        else throw e;
      }
    }
    if (creating)
      for (const [id, name, , req] of defs.values())
        if ((req.includes("*") || req.includes(typeName)) && fields[id] === undefined && !errors[id])
          errors[id] = id === "summary" ? "You must specify a summary of the issue." : `${name} is required.`;
    if (Object.keys(errors).length) throw bad([], errors);
    return out;
  }
  function apply(x, out) {
    for (const k of ["summary", "description", "priority", "labels", "assignee", "duedate", "components", "parent"])
      if (out[k] !== undefined) x[k] = out[k];
    Object.assign(x.custom, out.custom);
    x.updated = isoNow();
  }

  function findIssue(ref) {
    const x = st.issues.get(ref) || [...st.issues.values()].find((i) => i.id === ref);
    if (!x) throw new HttpError(404, errorCollection(["Issue does not exist or you do not have permission to see it."]));
    return x;
  }

  // ---- search ----

  function matches(x, { f, op, values }) {
    const v = values.map((s) => String(s).toLowerCase());
    const eq = (s) => v.includes(String(s ?? "").toLowerCase());
    let r;
    switch (f) {
    case "project": r = eq(x.project.key) || eq(x.project.id); break;
    case "status": r = eq(STATUS[x.status].name); break;
    case "statuscategory": r = eq(STATUS[x.status].cat.name) || eq(STATUS[x.status].cat.key); break;
    case "assignee":
      if (op === "is" || op === "is not") r = !x.assignee;
      else r = v.includes("currentuser()") ? x.assignee?.accountId === st.me.accountId : eq(x.assignee?.accountId);
      break;
    case "reporter": r = v.includes("currentuser()") ? x.reporter.accountId === st.me.accountId : eq(x.reporter.accountId); break;
    case "key": r = eq(x.key); break;
    case "labels": r = x.labels.some(eq); break;
    case "issuetype": case "type": r = eq(x.type.name) || eq(x.type.id); break;
    case "priority": r = eq(x.priority.name); break;
    case "summary": r = x.summary.toLowerCase().includes(v[0]); break;
    case "text": r = (x.summary + JSON.stringify(x.description)).toLowerCase().includes(v[0]); break;
    }
    return op === "!=" || op === "not in" || op === "is not" || op === "!~" ? !r : r;
  }
  function search(q) {
    const { clauses, order } = parseJql(q.jql ?? "");
    let list = [...st.issues.values()].filter((x) => clauses.every((c) => matches(x, c)));
    const num = (k) => Number(k.split("-")[1]);
    for (const { f, dir } of order.reverse()) {
      const key = f === "key" ? (x) => [x.project.key, num(x.key)] : (x) => [x[f] ?? "", 0];
      list.sort((a, b) => {
        const [a1, a2] = key(a), [b1, b2] = key(b);
        const c = a1 < b1 ? -1 : a1 > b1 ? 1 : a2 - b2;
        return dir === "desc" ? -c : c;
      });
    }
    let offset = 0;
    if (q.nextPageToken) {
      let t;
      try { t = JSON.parse(Buffer.from(q.nextPageToken, "base64url").toString()); } catch { t = null; }
      if (!t || t.jql !== q.jql) throw bad(["The provided next page token is invalid or expired."]);
      offset = t.offset;
    }
    const fieldsOnlyId = Array.isArray(q.fields) && q.fields.every((f) => f === "id" || f === "key");
    const max = Math.min(q.maxResults ?? 50, fieldsOnlyId ? 5000 : 100);
    const page = list.slice(offset, offset + max);
    const res = { issues: page.map((x) => issueBean(x, q.fields?.length ? q.fields : ["id"], q.expand ?? "")),
      isLast: offset + page.length >= list.length };
    if (!res.isLast)
      res.nextPageToken = Buffer.from(JSON.stringify({ jql: q.jql, offset: offset + page.length })).toString("base64url");
    if ((q.expand ?? "").split(",").includes("names")) {
      res.names = {};
      for (const i of res.issues) for (const k of Object.keys(i.fields || {}))
        if (FIELD_NAMES[k]) res.names[k] = FIELD_NAMES[k];
    }
    return res;
  }

  // ---- routes ----

  const routes = [
    ["GET", /^\/rest\/api\/3\/myself$/, () => userBean(st.me)],
    // GET /user/search: "query" matches the start of the display name (or
    // of a word of it) or of the e-mail address (hidden addresses do not
    // match), as Atlassian documents; a page of users, no envelope.
    ["GET", /^\/rest\/api\/3\/user\/search$/, (m, q) => {
      const query = (q.get("query") ?? "").toLowerCase(), id = q.get("accountId");
      if (!query && !id) throw bad(["The query parameter 'query' or 'accountId' is required."]);
      const startAt = Number(q.get("startAt") ?? 0), maxResults = Math.min(Number(q.get("maxResults") ?? 50), 1000);
      const hit = (u) => (id ? u.accountId === id : true) && (!query ||
        u.displayName.toLowerCase().split(/\s+/).some((w) => w.startsWith(query)) ||
        u.displayName.toLowerCase().startsWith(query) || (u.emailAddress ?? "").toLowerCase().startsWith(query));
      return [200, USERS.filter(hit).slice(startAt, startAt + maxResults).map(userBean)];
    }],
    ["POST", /^\/rest\/api\/3\/search\/jql$/, (m, q, b) => search(b || {})],
    ["GET", /^\/rest\/api\/3\/project\/search$/, (m, q) => {
      const startAt = Number(q.get("startAt") ?? 0);
      const maxResults = Math.min(Number(q.get("maxResults") ?? 50), 100);
      const query = (q.get("query") ?? "").toLowerCase();
      const all = st.projects.filter((p) => !query || p.key.toLowerCase().includes(query) ||
        p.name.toLowerCase().includes(query)).sort((a, b) => (a.key < b.key ? -1 : 1));
      const values = all.slice(startAt, startAt + maxResults);
      const isLast = startAt + values.length >= all.length;
      const res = { self: `${SITE}${API}/project/search?startAt=${startAt}&maxResults=${maxResults}`,
        maxResults, startAt, total: all.length, isLast, values: values.map(projectBean) };
      if (!isLast) res.nextPage = `${SITE}${API}/project/search?startAt=${startAt + maxResults}&maxResults=${maxResults}`;
      return res;
    }],
    ["GET", /^\/rest\/api\/3\/issue\/createmeta\/([^/]+)\/issuetypes$/, (m, q) => {
      const p = project(decodeURIComponent(m[1]));
      if (!p) throw bad(["Project not found or you do not have permission to see it."]);
      const startAt = Number(q.get("startAt") ?? 0), maxResults = Number(q.get("maxResults") ?? 50);
      return { issueTypes: ISSUE_TYPES.slice(startAt, startAt + maxResults).map((t) => ({
        self: `${SITE}${API}/issuetype/${t.id}`, id: t.id, name: t.name, description: `A ${t.name.toLowerCase()}.`,
        subtask: t.subtask, iconUrl: `${SITE}/t.png`, hierarchyLevel: t.hierarchyLevel })),
        maxResults, startAt, total: ISSUE_TYPES.length };
    }],
    ["GET", /^\/rest\/api\/3\/issue\/createmeta\/([^/]+)\/issuetypes\/([^/]+)$/, (m, q) => {
      const p = project(decodeURIComponent(m[1]));
      const t = ISSUE_TYPES.find((x) => x.id === m[2]);
      if (!p || !t) throw bad(["Issue type not found or you do not have permission to see it."]);
      const startAt = Number(q.get("startAt") ?? 0), maxResults = Number(q.get("maxResults") ?? 50);
      const all = fieldsFor(t.name);
      return { fields: all.slice(startAt, startAt + maxResults).map(([id, name, schema, req]) => {
        const f = { fieldId: id, key: id, name, required: req.includes("*") || req.includes(t.name),
          schema, hasDefaultValue: id === "priority", operations: ["set"] };
        if (id === "priority") f.allowedValues = PRIORITIES.map(priorityBean);
        if (id === "customfield_10030") f.allowedValues = ENVIRONMENTS.map(([i, v]) => ({ self: `${SITE}${API}/customFieldOption/${i}`, value: v, id: i }));
        if (id === "components") f.allowedValues = COMPONENTS.map(([i, n]) => ({ self: `${SITE}${API}/component/${i}`, id: i, name: n }));
        return f;
      }), maxResults, startAt, total: all.length };
    }],
    ["POST", /^\/rest\/api\/3\/issue$/, (m, q, b) => {
      const f = b?.fields ?? {};
      const p = project(f.project);
      if (!p) throw bad([], { project: "Specify a valid project ID or key" });
      const t = ISSUE_TYPES.find((x) => x.name === f.issuetype?.name || x.id === f.issuetype?.id);
      if (!t) throw bad([], { issuetype: "Specify an issue type" });
      const out = takeFields(null, f, t.name, true);
      const x = addIssue(p, t, { ...out, custom: out.custom });
      return [201, { id: x.id, key: x.key, self: `${SITE}${API}/issue/${x.id}` }];
    }],
    ["GET", /^\/rest\/api\/3\/issue\/([^/]+)$/, (m, q) => {
      const x = findIssue(decodeURIComponent(m[1]));
      const fields = q.getAll("fields").flatMap((s) => s.split(",")).filter(Boolean);
      return issueBean(x, fields.length ? fields : null, q.get("expand") ?? "");
    }],
    ["PUT", /^\/rest\/api\/3\/issue\/([^/]+)$/, (m, q, b) => {
      const x = findIssue(decodeURIComponent(m[1]));
      const out = takeFields(x, b?.fields ?? {}, x.type.name, false);
      const labels = [...(out.labels ?? x.labels)];
      for (const [field, ops] of Object.entries(b?.update ?? {})) {
        if (field !== "labels") throw bad([], { [field]: `Field '${field}' cannot be set.` });
        for (const op of ops) {
          if (op.add !== undefined && !labels.includes(op.add)) labels.push(op.add);
          if (op.remove !== undefined && labels.includes(op.remove)) labels.splice(labels.indexOf(op.remove), 1);
          if (op.set !== undefined) labels.splice(0, labels.length, ...op.set);
        }
      }
      out.labels = labels;
      apply(x, out);
      return [204, null];
    }],
    ["POST", /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/, (m, q, b) => {
      const x = findIssue(decodeURIComponent(m[1]));
      if (b?.visibility && (b.visibility.type !== "role" || !ROLES.includes(b.visibility.value)) &&
          b.visibility.type !== "group")
        throw bad([], { commentLevel: `You are currently not a member of the project role: ${b.visibility.value}.` });
      const c = { id: String(st.nextComment++), author: st.me, body: adf(b?.body, "comment"),
        created: isoNow(), visibility: b?.visibility };
      x.comments.push(c);
      return [201, commentBean(x)(c)];
    }],
    ["GET", /^\/rest\/api\/3\/issue\/([^/]+)\/transitions$/, (m, q) => {
      const x = findIssue(decodeURIComponent(m[1]));
      return { expand: "transitions", transitions: transitionBeans(x, (q.get("expand") ?? "").includes("transitions.fields")) };
    }],
    ["POST", /^\/rest\/api\/3\/issue\/([^/]+)\/transitions$/, (m, q, b) => {
      const x = findIssue(decodeURIComponent(m[1]));
      const tr = WORKFLOW[x.status].find(([id]) => id === b?.transition?.id);
      if (!tr) throw bad([`Transition id '${b?.transition?.id}' is not valid for this issue.`]);
      let resolution = null;
      if (tr[3]) {
        const r = b.fields?.resolution;
        resolution = RESOLUTIONS.find((n, i) => n === r?.name || String(i + 1) === r?.id);
        if (!resolution) throw bad([], { resolution: "Resolution is required." });
      }
      for (const k of Object.keys(b.fields ?? {}))
        if (k !== "resolution") throw bad([], { [k]: `Field '${k}' cannot be set. It is not on the appropriate screen, or unknown.` });
      const comments = (b.update?.comment ?? []).map((op) => adf(op.add?.body, "comment"));
      x.status = tr[2];
      x.resolution = tr[2] === "done" ? resolution : null;
      for (const body of comments)
        x.comments.push({ id: String(st.nextComment++), author: st.me, body, created: isoNow() });
      x.updated = isoNow();
      return [204, null];
    }],
    // ---- attachments ----
    ["POST", /^\/rest\/api\/3\/issue\/([^/]+)\/attachments$/, (m, q, b) => {
      const x = findIssue(decodeURIComponent(m[1]));
      const files = (b?.multipart ?? []).filter((p) => p.name === "file" && p.filename !== null);
      if (!files.length) throw bad(["No file was attached: send multipart/form-data with a part named \"file\"."]);
      const made = files.map((f) => {
        const a = { id: String(st.nextAttachment++), filename: f.filename, mimeType: f.type, data: f.data,
          author: st.me, created: isoNow() };
        x.attachments.push(a);
        return a;
      });
      return [200, made.map(attachmentBean)];
    }],
    ["GET", /^\/rest\/api\/3\/attachment\/(\d+)$/, (m) => {
      const a = [...st.issues.values()].flatMap((x) => x.attachments).find((y) => y.id === m[1]);
      if (!a) throw new HttpError(404, errorCollection(["The attachment with id '" + m[1] + "' does not exist"]));
      // AttachmentMetadata: a numeric id, unlike the issue field's.
      return { ...attachmentBean(a), id: Number(a.id) };
    }],
    ["GET", /^\/rest\/api\/3\/attachment\/content\/(\d+)$/, (m, q) => {
      const a = [...st.issues.values()].flatMap((x) => x.attachments).find((y) => y.id === m[1]);
      if (!a) throw new HttpError(404, errorCollection(["The attachment with id '" + m[1] + "' does not exist"]));
      // Jira redirects to its media service unless redirect=false.
      if (q.get("redirect") !== "false") return { redirect: `https://api.media.atlassian.com/file/${a.id}/binary` };
      return { raw: a.data, type: a.mimeType };
    }],
    // ---- issue links ----
    ["GET", /^\/rest\/api\/3\/issueLinkType$/, () => ({ issueLinkTypes: LINK_TYPES.map(linkTypeBean) })],
    ["POST", /^\/rest\/api\/3\/issueLink$/, (m, q, b) => {
      const t = LINK_TYPES.find((y) => y.name.toLowerCase() === String(b?.type?.name ?? "").toLowerCase() || y.id === b?.type?.id);
      if (!t) throw new HttpError(404, errorCollection([`No issue link type with name '${b?.type?.name}' found.`]));
      const out = findIssue(b?.outwardIssue?.key ?? b?.outwardIssue?.id);
      const inw = findIssue(b?.inwardIssue?.key ?? b?.inwardIssue?.id);
      const dup = [...st.links.values()].find((l) => l.type === t && l.outward === out && l.inward === inw);
      if (!dup) { const id = String(st.nextLink++); st.links.set(id, { id, type: t, outward: out, inward: inw }); }
      if (b?.comment?.body) out.comments.push({ id: String(st.nextComment++), author: st.me, body: adf(b.comment.body, "comment"), created: isoNow() });
      return [201, null];
    }],
    ["DELETE", /^\/rest\/api\/3\/issueLink\/(\d+)$/, (m) => {
      if (!st.links.delete(m[1])) throw new HttpError(404, errorCollection(["No issue link with id '" + m[1] + "' exists."]));
      return [204, null];
    }],
    // ---- worklogs ----
    ["GET", /^\/rest\/api\/3\/issue\/([^/]+)\/worklog$/, (m, q) => {
      const x = findIssue(decodeURIComponent(m[1]));
      const startAt = Number(q.get("startAt") ?? 0), maxResults = Math.min(Number(q.get("maxResults") ?? 5000), 5000);
      return { startAt, maxResults, total: x.worklogs.length, worklogs: x.worklogs.slice(startAt, startAt + maxResults).map(worklogBean(x)) };
    }],
    ["POST", /^\/rest\/api\/3\/issue\/([^/]+)\/worklog$/, (m, q, b) => {
      const x = findIssue(decodeURIComponent(m[1]));
      let seconds = b?.timeSpentSeconds;
      if (b?.timeSpent !== undefined) seconds = jiraDuration(b.timeSpent);
      if (!seconds || seconds < 60) throw bad([], { timeLogged: "You must indicate the time spent working." });
      if (b?.started !== undefined && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$/.test(b.started))
        throw bad([], { started: "Invalid date format. Please enter the date in the format \"yyyy-MM-dd'T'HH:mm:ss.SSSZ\"." });
      const w = { id: String(st.nextWorklog++), author: st.me, seconds, timeSpent: formatDuration(seconds),
        started: b?.started ?? isoNow(), created: isoNow(), comment: b?.comment ? adf(b.comment, "comment") : null };
      x.worklogs.push(w);
      return [201, worklogBean(x)(w)];
    }],
    // ---- watchers ----
    ["GET", /^\/rest\/api\/3\/issue\/([^/]+)\/watchers$/, (m) => {
      const x = findIssue(decodeURIComponent(m[1]));
      const ws = [...x.watchers].map((id) => USERS.find((u) => u.accountId === id)).filter(Boolean);
      return { self: `${SITE}${API}/issue/${x.key}/watchers`, isWatching: x.watchers.has(st.me.accountId),
        watchCount: ws.length, watchers: ws.map(userBean) };
    }],
    ["POST", /^\/rest\/api\/3\/issue\/([^/]+)\/watchers$/, (m, q, b) => {
      const x = findIssue(decodeURIComponent(m[1]));
      if (typeof b !== "string") throw bad(["The request body must be the accountId as a JSON string."]);
      if (!USERS.some((u) => u.accountId === b)) throw new HttpError(404, errorCollection([`The user with account ID '${b}' does not exist.`]));
      x.watchers.add(b);
      return [204, null];
    }],
    ["DELETE", /^\/rest\/api\/3\/issue\/([^/]+)\/watchers$/, (m, q) => {
      const x = findIssue(decodeURIComponent(m[1]));
      const id = q.get("accountId");
      if (!id) throw bad(["accountId is required."]);
      x.watchers.delete(id);
      return [204, null];
    }],
    ["PUT", /^\/rest\/api\/3\/issue\/([^/]+)\/assignee$/, (m, q, b) => {
      const x = findIssue(decodeURIComponent(m[1]));
      if (b?.accountId === null) x.assignee = null;
      else if (b?.accountId === "-1") x.assignee = x.project.lead;
      else {
        const u = USERS.find((w) => w.accountId === b?.accountId);
        if (!u) throw new HttpError(404, errorCollection([`User '${b?.accountId}' does not exist.`]));
        x.assignee = u;
      }
      return [204, null];
    }],
  ];

  function authorized(h) {
    const a = h.authorization ?? "";
    const c = st.credentials;
    if (c.bearer && a === `Bearer ${c.bearer}`) return true;
    return a === "Basic " + Buffer.from(`${c.email}:${c.token}`).toString("base64");
  }

  function handle(method, url, headers, body, raw) {
    const u = new URL(url, SITE);
    const entry = { method, path: u.pathname, query: u.search, body, at: Date.now(),
      authorization: headers.authorization ?? null };
    st.received.push(entry);
    const faulted = takeFault(st.faults, method, u, entry, "application/json", { "x-mock-fault": "1" });
    if (faulted) return faulted;
    if (!authorized(headers))
      return { status: 401, headers: { "content-type": "application/json", "www-authenticate": "Basic realm=\"protected\"" },
        body: JSON.stringify(errorCollection(["Client must be authenticated to access this resource."])) };
    let json = null;
    const ctype = String(headers["content-type"] ?? "");
    if (/^multipart\/form-data/i.test(ctype)) {
      // Jira's XSRF check: uploads need X-Atlassian-Token: no-check.
      if (headers["x-atlassian-token"] !== "no-check")
        return { status: 403, headers: { "content-type": "text/plain" }, body: "XSRF check failed" };
      const parts = parseMultipart(raw ?? Buffer.from(body), ctype);
      if (!parts) return { status: 400, headers: { "content-type": "application/json" },
        body: JSON.stringify(errorCollection(["The multipart body could not be read."])) };
      json = { multipart: parts };
    } else if (body.length && method === "POST" && /\/watchers$/.test(u.pathname) && /^[A-Za-z0-9:_-]+$/.test(body)) {
      // Prism's proxy forwards a JSON string body ("accountId") without
      // its quotes; the test checks at the front that the client sent
      // the quoted JSON string the spec asks for.
      json = body;
    } else if (body.length) {
      try { json = JSON.parse(body); } catch {
        return { status: 400, headers: { "content-type": "application/json" },
          body: JSON.stringify(errorCollection(["Unexpected character in the request body."])) };
      }
    }
    for (const [m, re, fn] of routes) {
      const mm = m === method && u.pathname.match(re);
      if (!mm) continue;
      try {
        let r = fn(mm, u.searchParams, json);
        if (r?.raw) return { status: 200, headers: { "content-type": r.type }, body: r.raw };
        if (r?.redirect) return { status: 303, headers: { location: r.redirect }, body: "" };
        if (!Array.isArray(r)) r = [200, r];
        const [status, out] = r;
        // The spec declares application/json even for 204 answers. For
        // issueLink's 201 it declares a JSON body of any shape; Jira's is
        // empty, which Prism cannot parse, so the mock sends {} (the skill
        // reads nothing from it).
        return { status, headers: { "content-type": "application/json" },
          body: out === null ? (status === 201 ? "{}" : "") : JSON.stringify(out) };
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        return { status: e.status, headers: { "content-type": "application/json", ...e.headers },
          body: JSON.stringify(e.body) };
      }
    }
    return { status: 404, headers: { "content-type": "application/json" },
      body: JSON.stringify(errorCollection(["No such resource."])) };
  }

  return {
    state: st,
    handle,
    fault(f) { st.faults.push({ times: 1, ...f }); },
    issue: (key) => st.issues.get(key),
    setCredentials(c) { Object.assign(st.credentials, c); },
  };
}

const readBody = (req) => new Promise((resolve, reject) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => resolve(Buffer.concat(chunks)));
  req.on("error", reject);
});

const listen = (server) => new Promise((resolve) =>
  server.listen(0, "127.0.0.1", () => resolve(server.address().port)));

async function freePort() {
  const s = net.createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

function forward(port, method, url, headers, body) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    delete h.host;
    delete h.connection;
    const req = http.request({ host: "127.0.0.1", port, method, path: url, headers: h }, (res) => {
      readBody(res).then((b) => resolve({ status: res.statusCode, headers: res.headers, body: b }), reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

// Start the backend, Prism in front of it, and the recording front. With
// prism false (to debug the mock itself) the front forwards straight to
// the backend.
export async function startJiraMock({ nodeModules, spec, prism = true, ...creds }) {
  process.env.NODE_MODULES_DIR = nodeModules;
  const jira = createJira(creds);
  const backend = http.createServer(async (req, res) => {
    const body = await readBody(req);
    let r;
    try {
      r = jira.handle(req.method, req.url, req.headers, body.toString("utf8"), body);
    } catch (e) {
      r = { status: 500, headers: { "content-type": "text/plain" }, body: `mock bug: ${e.stack}` };
      jira.state.mockErrors = (jira.state.mockErrors ?? 0) + 1;
      console.error(e);
    }
    res.writeHead(r.status, r.headers);
    res.end(r.body);
  });
  const backendPort = await listen(backend);
  let prismProc = null, upstreamPort = backendPort;
  if (prism) {
    upstreamPort = await freePort();
    prismProc = spawn(path.join(nodeModules, ".bin", "prism"),
      ["proxy", "--errors", "-h", "127.0.0.1", "-p", String(upstreamPort), spec,
       `http://127.0.0.1:${backendPort}`], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Prism did not start in 180 s:\n${out.slice(-2000)}`)), 180000);
      const onData = (d) => {
        out += d;
        if (out.includes("Prism is listening")) { clearTimeout(timer); resolve(); }
      };
      prismProc.stdout.on("data", onData);
      prismProc.stderr.on("data", onData);
      prismProc.on("exit", (c) => { clearTimeout(timer); reject(new Error(`Prism exited (${c}):\n${out.slice(-2000)}`)); });
    });
    prismProc.stdout.resume();
    prismProc.stderr.resume();
    // However the test ends, Prism ends with it.
    process.on("exit", () => { if (prismProc.exitCode === null) prismProc.kill("SIGKILL"); });
  }
  const log = [];        // every request the front saw, with Prism's verdict
  const violations = []; // what Prism objected to
  const front = http.createServer(async (req, res) => {
    const body = await readBody(req);
    let r;
    try {
      r = await forward(upstreamPort, req.method, req.url, req.headers, body);
    } catch (e) {
      r = { status: 502, headers: { "content-type": "text/plain" }, body: Buffer.from(String(e)) };
    }
    const entry = { method: req.method, url: req.url, status: r.status, fault: !!r.headers["x-mock-fault"] };
    // The bytes the client sent, before Prism (which re-encodes bodies
    // as text on the way through).
    if (body.length && body.length < (1 << 20)) entry.sent = body;
    const ct = String(r.headers["content-type"] ?? "");
    if (ct.includes("application/problem+json")) {
      let p = {};
      try { p = JSON.parse(r.body.toString()); } catch { /* keep {} */ }
      // The backend never answers problem+json: this is Prism refusing
      // the request, or failing to relay the answer (FetchError).
      violations.push({ ...entry, prism: p.type, title: p.title, detail: p.detail, validation: p.validation });
    }
    if (r.headers["sl-violations"]) {
      let vs = [];
      try { vs = JSON.parse(r.headers["sl-violations"]); } catch { vs = [{ severity: "Error", message: r.headers["sl-violations"] }]; }
      for (const v of vs) {
        // Real Jira answers 401, 403, 429 and 5xx on any endpoint, and
        // the spec does not list them all: an undeclared error status is
        // not a fault of the skill. Anything else is.
        const undeclaredError = r.status >= 400 && v.severity !== "Error" &&
          /Unable to match the returned status code/.test(v.message);
        if (undeclaredError) entry.undeclaredStatus = true;
        else violations.push({ ...entry, violation: v });
      }
    }
    log.push(entry);
    const headers = { ...r.headers };
    for (const h of ["connection", "keep-alive", "transfer-encoding", "content-length"]) delete headers[h];
    res.writeHead(r.status, headers);
    res.end(r.body);
  });
  const frontPort = await listen(front);
  return {
    url: `http://127.0.0.1:${frontPort}`,
    port: frontPort,
    jira,
    log,
    violations,
    async stop() {
      front.close();
      backend.close();
      if (prismProc && prismProc.exitCode === null) {
        const exited = new Promise((r) => prismProc.once("exit", () => r(true)));
        prismProc.kill("SIGTERM");
        // Prism sometimes ignores SIGTERM: do not leave it behind.
        if (!(await Promise.race([exited, new Promise((r) => setTimeout(() => r(false), 3000))])))
          prismProc.kill("SIGKILL");
      }
    },
  };
}
