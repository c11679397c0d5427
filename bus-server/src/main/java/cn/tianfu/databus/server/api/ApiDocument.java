package cn.tianfu.databus.server.api;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import cn.tianfu.databus.contract.ApiPaths;

/**
 * The bus's HTTP API as a table: every route the server registers, with who may call it, its parameters and its
 * answers. The OpenAPI 3 document served at {@code /api/openapi.json} is generated from this table, and a test holds
 * the table against the routes the server actually registers, so the two cannot drift apart.
 */
public final class ApiDocument {

    /** The parts of the API a server may run; the document lists the routes of the parts that run. */
    public enum Feature {
        /** Health and the document itself. */
        BASE,
        /** The bus's metrics (for the authority, with the bus's credentials). */
        METRICS,
        /** The department routes: catalog, requests, grants, violations, error reports, disputes. */
        DEPARTMENTS,
        /** The service exchange: query, verify, keys (Art. 21, 23). */
        SERVICE,
        /** A person's own exchanges, with an identity provider's token. */
        TRANSPARENCY,
        /** Open data: the CKAN Action API, DCAT, downloads (Art. 31–35). */
        OPEN_DATA,
        /** The exchange log for auditors and the authority: verify, trace, report (Art. 23). */
        AUDIT
    }

    /** Who may call a route. */
    public enum Access {
        /** Anyone. */
        ANONYMOUS,
        /** A department, auditor or the bus, by HTTP basic credentials (answers 401 without valid ones). */
        DEPARTMENT,
        /** A person, by a bearer token of the city's identity provider. */
        PERSON
    }

    /** A query parameter. */
    public record Param(String name, String description) {
    }

    /**
     * One route.
     *
     * @param method    GET, POST, PUT or DELETE
     * @param path      the path as the server registers it, path parameters in braces
     * @param body      what the request body holds; null for none
     * @param responses status code to what it means (401 and 429 are added for {@link Access#DEPARTMENT})
     */
    public record Operation(Feature feature, String method, String path, String tag, Access access, String summary,
            List<Param> query, String body, Map<Integer, String> responses) {
    }

    private static final String RESULT = "governance's reply (CommandResult in Avro's JSON encoding)";
    private static final Map<Integer, String> COMMAND = ordered(200, "accepted: " + RESULT, 400, "invalid: " + RESULT
            + ", or a malformed body", 403, "refused by governance (not the caller's resource, request or grant; not shared),"
            + " or the caller is not a department", 404, "not found: " + RESULT, 409, "duplicate: " + RESULT,
            504, "governance did not answer in time");

    private static final List<Operation> OPERATIONS = List.of(
            new Operation(Feature.BASE, "GET", "/health", "bus", Access.ANONYMOUS, "Whether the bus and its apps are up",
                    List.of(), null, ordered(200, "up", 503, "down")),
            new Operation(Feature.BASE, "GET", ApiPaths.OPENAPI, "bus", Access.ANONYMOUS, "This document",
                    List.of(), null, ordered(200, "the OpenAPI 3 document")),
            new Operation(Feature.METRICS, "GET", ApiPaths.METRICS, "bus", Access.DEPARTMENT,
                    "The bus's metrics in the Prometheus text format, for the authority (the bus's own credentials)", List.of(), null,
                    ordered(200, "metrics", 403, "not the bus's own principal")),

            new Operation(Feature.DEPARTMENTS, "GET", ApiPaths.CATALOG, "catalog", Access.DEPARTMENT,
                    "Browse the catalog (every department reads all of it), by code",
                    List.of(new Param("search", "name or summary contains this text"), new Param("provider", "provided by this department"),
                            new Param("category", "BASIC, THEMATIC or DEPARTMENTAL")),
                    null, ordered(200, "catalog entries (CatalogEntry, Avro JSON)", 400, "unknown category")),
            new Operation(Feature.DEPARTMENTS, "POST", ApiPaths.CATALOG, "catalog", Access.DEPARTMENT,
                    "Register a resource the caller provides (Art. 12-18)", List.of(),
                    "the resource definition, YAML or JSON, as 'databus catalog register' reads it", COMMAND),
            new Operation(Feature.DEPARTMENTS, "GET", ApiPaths.CATALOG + "/{code}", "catalog", Access.DEPARTMENT,
                    "One catalog entry", List.of(), null, ordered(200, "the entry (CatalogEntry, Avro JSON)", 404, "no such resource")),
            new Operation(Feature.DEPARTMENTS, "PUT", ApiPaths.CATALOG + "/{code}", "catalog", Access.DEPARTMENT,
                    "Update the entry of a resource the caller provides", List.of(new Param("reason", "why the entry changes")),
                    "the changed resource definition, YAML or JSON", COMMAND),
            new Operation(Feature.DEPARTMENTS, "POST", ApiPaths.CATALOG + "/{code}/retire", "catalog", Access.DEPARTMENT,
                    "Retire a resource the caller provides", List.of(), "{\"reason\": \"...\"}", COMMAND),

            new Operation(Feature.DEPARTMENTS, "GET", ApiPaths.REQUESTS, "requests", Access.DEPARTMENT,
                    "Access requests the caller filed (mine), on its resources (incoming), or both",
                    List.of(new Param("role", "mine, incoming or all (default)")), null,
                    ordered(200, "requests (AccessRequest, Avro JSON), in filing order", 400, "unknown role")),
            new Operation(Feature.DEPARTMENTS, "POST", ApiPaths.REQUESTS, "requests", Access.DEPARTMENT,
                    "Request access to a resource with a stated purpose (Art. 25-26, 30)", List.of(),
                    "{\"resource\", \"purpose\", \"fields\"?, \"method\"?: PUSH|SERVICE|BOTH, \"legalBasis\"?}",
                    merged(COMMAND, ordered(200, "granted at once: " + RESULT, 202, "pending with the provider: " + RESULT))),
            new Operation(Feature.DEPARTMENTS, "GET", ApiPaths.REQUESTS + "/{id}", "requests", Access.DEPARTMENT,
                    "One access request the caller is party to", List.of(), null,
                    ordered(200, "the request (AccessRequest, Avro JSON)", 403, "another department's request", 404, "no such request")),
            new Operation(Feature.DEPARTMENTS, "POST", ApiPaths.REQUESTS + "/{id}/withdraw", "requests", Access.DEPARTMENT,
                    "Withdraw the caller's pending request", List.of(), "{\"reason\"?}", COMMAND),
            new Operation(Feature.DEPARTMENTS, "POST", ApiPaths.REQUESTS + "/{id}/decision", "requests", Access.DEPARTMENT,
                    "The provider approves (optionally narrowed) or rejects a pending request", List.of(),
                    "{\"approve\": true, \"fields\"?, \"filter\"? (CEL), \"clear\"?, \"from\"?, \"until\"?, \"reason\"?, \"rateLimit\"?,"
                            + " \"dailyLimit\"?} or {\"approve\": false, \"reason\"}", COMMAND),

            new Operation(Feature.DEPARTMENTS, "GET", ApiPaths.GRANTS, "grants", Access.DEPARTMENT,
                    "Grants the caller receives (consumer), on its resources (provider), or both",
                    List.of(new Param("role", "consumer, provider or all (default)")), null,
                    ordered(200, "grants (Grant, Avro JSON), in creation order", 400, "unknown role")),
            new Operation(Feature.DEPARTMENTS, "POST", ApiPaths.GRANTS + "/{id}/revoke", "grants", Access.DEPARTMENT,
                    "Revoke a grant on a resource the caller provides, or give up one it receives", List.of(),
                    "{\"reason\": \"...\"}", COMMAND),

            new Operation(Feature.DEPARTMENTS, "GET", ApiPaths.VIOLATIONS, "accountability", Access.DEPARTMENT,
                    "The caller's violations (Art. 46); all of them for the bus", List.of(), null,
                    ordered(200, "violations (Violation, Avro JSON), oldest due first")),
            new Operation(Feature.DEPARTMENTS, "GET", ApiPaths.REPORTS, "accountability", Access.DEPARTMENT,
                    "Error reports (Art. 27) the caller is party to; all of them for the bus",
                    List.of(new Param("dept", "party to this department"), new Param("status", "one status")), null,
                    ordered(200, "error reports (ErrorReport, Avro JSON)", 400, "unknown status")),
            new Operation(Feature.DEPARTMENTS, "GET", ApiPaths.DISPUTES, "accountability", Access.DEPARTMENT,
                    "Disputes (Art. 28) the caller is party to or referred to; all of them for the bus",
                    List.of(new Param("dept", "party to this department"), new Param("status", "one status")), null,
                    ordered(200, "disputes (Dispute, Avro JSON)", 400, "unknown status")),

            new Operation(Feature.DEPARTMENTS, "GET", ApiPaths.CALENDARS, "calendars", Access.DEPARTMENT,
                    "The working-day calendars loaded on the bus, by region and year", List.of(), null,
                    ordered(200, "calendars (HolidayCalendar, Avro JSON)")),
            new Operation(Feature.DEPARTMENTS, "GET", ApiPaths.CALENDARS + "/due", "calendars", Access.DEPARTMENT,
                    "N working days after a date, as governance counts a deadline",
                    List.of(new Param("days", "working days to count (required)"),
                            new Param("from", "the filing date, yyyy-MM-dd (default: today in Asia/Shanghai)")), null,
                    ordered(200, "{from, days, due, dueAt, provisional, provisionalYears, calendars}", 400, "bad days or from")),

            new Operation(Feature.DEPARTMENTS, "POST", ApiPaths.REPORTS, "accountability", Access.DEPARTMENT,
                    "A consumer reports an error in a record it received (Art. 27)", List.of(),
                    "{\"resource\", \"key\", \"field\"?, \"problem\", \"foundAt\"?}", COMMAND),
            new Operation(Feature.DEPARTMENTS, "POST", ApiPaths.REPORTS + "/{id}/answer", "accountability", Access.DEPARTMENT,
                    "The provider answers an error report: corrected, or rejected with a reason", List.of(),
                    "{\"corrected\": true, \"note\"?, \"exchangeId\"?} or {\"corrected\": false, \"reason\"}", COMMAND),
            new Operation(Feature.DEPARTMENTS, "POST", ApiPaths.REPORTS + "/{id}/accept", "accountability", Access.DEPARTMENT,
                    "The reporter accepts the provider's answer", List.of(), null, COMMAND),
            new Operation(Feature.DEPARTMENTS, "POST", ApiPaths.DISPUTES, "accountability", Access.DEPARTMENT,
                    "A party opens a dispute about a refused request, a report's answer or a grant (Art. 28)", List.of(),
                    "{\"about\": \"request:ID\" | \"report:ID\" | \"grant:ID\", \"statement\"}", COMMAND),
            new Operation(Feature.DEPARTMENTS, "POST", ApiPaths.DISPUTES + "/{id}/{step}", "accountability", Access.DEPARTMENT,
                    "A step of a dispute: message, settle, escalate (a party); refer, decide (the authority); opinion (the expert)",
                    List.of(), "{\"text\"?, \"expert\"? (refer)}",
                    merged(COMMAND, ordered(404, "no such dispute, or an unknown step"))),
            new Operation(Feature.DEPARTMENTS, "POST", ApiPaths.VIOLATIONS + "/{id}/order", "accountability", Access.DEPARTMENT,
                    "The authority orders a violation rectified within N working days or by a date (Art. 46)", List.of(),
                    "{\"within\": N or \"yyyy-MM-dd\", \"note\"?}", COMMAND),
            new Operation(Feature.DEPARTMENTS, "POST", ApiPaths.VIOLATIONS + "/{id}/rectified", "accountability", Access.DEPARTMENT,
                    "The authority records an ordered rectification as done", List.of(), "{\"note\"?}", COMMAND),
            new Operation(Feature.DEPARTMENTS, "POST", ApiPaths.VIOLATIONS + "/{id}/escalate", "accountability", Access.DEPARTMENT,
                    "The authority escalates a violation whose ordered rectification was not done", List.of(), "{\"note\"?}", COMMAND),
            new Operation(Feature.DEPARTMENTS, "GET", ApiPaths.NOTICES, "accountability", Access.DEPARTMENT,
                    "Notices to update the caller's catalogue (Art. 14); all of them for the authority",
                    List.of(new Param("dept", "to this department")), null,
                    ordered(200, "notices (CatalogNotice, Avro JSON), oldest due first")),
            new Operation(Feature.DEPARTMENTS, "POST", ApiPaths.NOTICES, "accountability", Access.DEPARTMENT,
                    "The authority gives a department notice to update its catalogue within 15 working days (Art. 14)", List.of(),
                    "{\"department\", \"reason\"}", COMMAND),
            new Operation(Feature.DEPARTMENTS, "GET", ApiPaths.PUBLIC_REQUESTS, "open data", Access.DEPARTMENT,
                    "The public's requests to open data made to the caller (Art. 34); all of them for the authority",
                    List.of(new Param("status", "PENDING, OPENED, WILL_OPEN or REFUSED")), null,
                    ordered(200, "requests, oldest due first; the requester's name and contact for the authority only", 400, "unknown status")),
            new Operation(Feature.DEPARTMENTS, "POST", ApiPaths.PUBLIC_REQUESTS + "/{id}/answer", "open data", Access.DEPARTMENT,
                    "The provider answers a public request to open data", List.of(),
                    "{\"opened\": true} or {\"willOpenBy\": \"yyyy-MM-dd\"} or {\"refuse\": true, \"reason\"}; \"resource\"?",
                    COMMAND),
            new Operation(Feature.DEPARTMENTS, "GET", ApiPaths.DEADLETTERS, "bus", Access.DEPARTMENT,
                    "What the bus rejected, for the authority (the bus's own credentials)",
                    List.of(new Param("reason", "one reason code, e.g. MALFORMED_BYTES"), new Param("limit", "the N most recent (default 50)")),
                    null, ordered(200, "{deadLetters: [...], unreadable}", 400, "unknown reason or bad limit",
                            403, "not the bus's own principal")),

            new Operation(Feature.DEPARTMENTS, "GET", ApiPaths.DEPARTMENTS, "bus", Access.DEPARTMENT,
                    "The departments of the bus, for the authority", List.of(), null,
                    ordered(200, "[{id, name, code, created}]", 403, "not the bus's own principal")),
            new Operation(Feature.DEPARTMENTS, "GET", ApiPaths.MONTHLY_REPORT, "accountability", Access.DEPARTMENT,
                    "The authority's periodic report of one month per department: requests, decisions on time, violations,"
                            + " error reports, disputes",
                    List.of(new Param("month", "YYYY-MM (required)"), new Param("format", "json (default) or html")), null,
                    ordered(200, "the report (JSON, or one HTML page with charts)", 400, "bad month or format",
                            403, "not the bus's own principal")),
            new Operation(Feature.DEPARTMENTS, "POST", ApiPaths.DEPARTMENTS, "bus", Access.DEPARTMENT,
                    "The authority adds a department: topics, credential, ACLs; its client config is in the answer, once", List.of(),
                    "{\"id\", \"name\", \"code\"?}",
                    ordered(201, "{department, principal, commandTopic, replyTopic, clientConfig (the properties file, with the"
                            + " password, shown only here)}", 400, "bad id or missing name", 403, "not the bus's own principal",
                            409, "the department exists")),
            new Operation(Feature.DEPARTMENTS, "GET", ApiPaths.EXPERTS, "bus", Access.DEPARTMENT,
                    "The experts of the expert committee, for the authority", List.of(), null,
                    ordered(200, "[{id, principal, name, created}]", 403, "not the bus's own principal")),
            new Operation(Feature.DEPARTMENTS, "POST", ApiPaths.EXPERTS, "bus", Access.DEPARTMENT,
                    "The authority adds an expert; its client config is in the answer, once", List.of(),
                    "{\"id\", \"name\"?}",
                    ordered(201, "{expert, principal, clientConfig (shown only here)}", 400, "bad id",
                            403, "not the bus's own principal", 409, "the expert exists")),
            new Operation(Feature.DEPARTMENTS, "GET", ApiPaths.QUALITY, "accountability", Access.DEPARTMENT,
                    "The quality evaluation of every resource (Art. 41), lowest overall first, for the authority",
                    List.of(new Param("resource", "only this resource"), new Param("dept", "only this provider's resources")), null,
                    ordered(200, "scores (QualityScore, Avro JSON)", 400, "bad resource or department code",
                            403, "not the bus's own principal")),
            new Operation(Feature.DEPARTMENTS, "POST", ApiPaths.PUBLIC_REQUESTS + "/{id}/review-opinion", "open data", Access.DEPARTMENT,
                    "The authority records the expert committee's opinion on the review of an answer (Art. 34)", List.of(),
                    "{\"text\"}", merged(COMMAND, ordered(403, "not the bus's own principal"))),
            new Operation(Feature.DEPARTMENTS, "POST", ApiPaths.PUBLIC_REQUESTS + "/{id}/review", "open data", Access.DEPARTMENT,
                    "The authority decides the review of an answer: uphold, or overturn (the provider must open)", List.of(),
                    "{\"decision\": \"uphold\" or \"overturn\", \"reason\"}", merged(COMMAND, ordered(403, "not the bus's own principal"))),

            new Operation(Feature.AUDIT, "POST", ApiPaths.AUDIT + "/verify", "audit", Access.DEPARTMENT,
                    "Start verifying every chain and signed checkpoint of the exchange log (an auditor or the authority)", List.of(),
                    "{\"allowUncovered\"?, \"heartbeat\"?: ISO duration}",
                    ordered(202, "started: the job, at the Location given", 400, "bad options", 403, "not an auditor or the bus",
                            409, "a verification is running", 503, "the bus's published key cannot be read")),
            new Operation(Feature.AUDIT, "GET", ApiPaths.AUDIT + "/verify/{id}", "audit", Access.DEPARTMENT,
                    "A verification: each partition's progress while it runs, then its result", List.of(), null,
                    ordered(200, "{id, state: RUNNING|DONE|FAILED, partitions: [...], intact?, report?}",
                            403, "not an auditor or the bus", 404, "no such verification")),
            new Operation(Feature.AUDIT, "GET", ApiPaths.AUDIT + "/trace", "audit", Access.DEPARTMENT,
                    "Every exchange of one record: who received it, when, under which grant and purpose",
                    List.of(new Param("resource", "the resource code (required)"), new Param("key", "the record key as text"),
                            new Param("keyHex", "the record key's bytes in hex")), null,
                    ordered(200, "{resource, exchanges: [...]}", 400, "no resource, or not exactly one of key and keyHex",
                            403, "not an auditor or the bus")),
            new Operation(Feature.AUDIT, "GET", ApiPaths.AUDIT + "/report", "audit", Access.DEPARTMENT,
                    "A consumer's exchanges per resource, mode and purpose, with the first and last time",
                    List.of(new Param("consumer", "the receiving department (required)"),
                            new Param("from", "first day, yyyy-MM-dd (Asia/Shanghai) or an ISO instant"),
                            new Param("to", "last day, yyyy-MM-dd (Asia/Shanghai) or an ISO instant")), null,
                    ordered(200, "{consumer, total, rows: [...]}", 400, "no consumer or a bad date", 403, "not an auditor or the bus")),

            new Operation(Feature.SERVICE, "GET", ApiPaths.KEYS, "service", Access.ANONYMOUS,
                    "The bus's public signing key (JWK set) to check the service exchange's proofs", List.of(), null,
                    ordered(200, "a JWK set")),
            new Operation(Feature.SERVICE, "GET", ApiPaths.QUERY + "/{resource}/{key}", "service", Access.DEPARTMENT,
                    "One record as the caller's grant delivers it (Art. 21)", List.of(new Param("proof", "true: with a signed proof")),
                    null, ordered(200, "the record", 403, "no grant for the caller", 404, "no such record", 429, "over the grant's limits")),
            new Operation(Feature.SERVICE, "POST", ApiPaths.VERIFY + "/{resource}", "service", Access.DEPARTMENT,
                    "Whether claims about one record hold", List.of(), "{\"key\", \"claims\": {...}}",
                    ordered(200, "the verdict per claim", 403, "no grant for the caller", 404, "no such record")),

            new Operation(Feature.TRANSPARENCY, "GET", ApiPaths.TRANSPARENCY_MY_EXCHANGES, "transparency", Access.PERSON,
                    "A person's own exchanges, with proofs", List.of(), null,
                    ordered(200, "the exchanges", 401, "no valid token of the identity provider")),

            new Operation(Feature.OPEN_DATA, "GET", "/api/3/action/{action}", "open data", Access.ANONYMOUS,
                    "The CKAN Action API over the open catalog", List.of(), null,
                    ordered(200, "a CKAN result", 400, "bad parameters", 404, "unknown action", 429, "rate-limited")),
            new Operation(Feature.OPEN_DATA, "POST", "/api/3/action/{action}", "open data", Access.ANONYMOUS,
                    "The CKAN Action API over the open catalog", List.of(), "the action's parameters (JSON)",
                    ordered(200, "a CKAN result", 400, "bad parameters", 404, "unknown action", 429, "rate-limited")),
            new Operation(Feature.OPEN_DATA, "GET", "/api/action/{action}", "open data", Access.ANONYMOUS,
                    "The CKAN Action API, unversioned path", List.of(), null,
                    ordered(200, "a CKAN result", 400, "bad parameters", 404, "unknown action", 429, "rate-limited")),
            new Operation(Feature.OPEN_DATA, "POST", "/api/action/{action}", "open data", Access.ANONYMOUS,
                    "The CKAN Action API, unversioned path", List.of(), "the action's parameters (JSON)",
                    ordered(200, "a CKAN result", 400, "bad parameters", 404, "unknown action", 429, "rate-limited")),
            new Operation(Feature.OPEN_DATA, "GET", "/catalog.ttl", "open data", Access.ANONYMOUS,
                    "The open catalog as DCAT (Turtle)", List.of(), null, ordered(200, "DCAT in Turtle")),
            new Operation(Feature.OPEN_DATA, "GET", "/catalog.jsonld", "open data", Access.ANONYMOUS,
                    "The open catalog as DCAT (JSON-LD)", List.of(), null, ordered(200, "DCAT in JSON-LD")),
            new Operation(Feature.OPEN_DATA, "GET", "/open/{file}", "open data", Access.ANONYMOUS,
                    "Download an open dataset", List.of(), null,
                    ordered(200, "the dataset", 304, "not modified", 404, "no such open resource", 429, "rate-limited")),
            new Operation(Feature.OPEN_DATA, "POST", "/open/requests", "open data", Access.ANONYMOUS,
                    "Ask for data to be opened (Art. 34); answered by the provider within 10 days", List.of(),
                    "{\"resource\" or \"provider\", \"title\", \"name\", \"contact\", \"organisation\"?}",
                    ordered(201, "filed, with the request's id and due time", 400, "a missing or bad field",
                            404, "no such resource or department", 409, "the resource is already open", 429, "rate-limited")),
            new Operation(Feature.OPEN_DATA, "GET", "/open/requests/{id}", "open data", Access.ANONYMOUS,
                    "A public request's status and answer (without the requester's details)", List.of(), null,
                    ordered(200, "the request's status", 404, "no such request", 429, "rate-limited")),
            new Operation(Feature.OPEN_DATA, "POST", "/open/requests/{id}/review", "open data", Access.ANONYMOUS,
                    "The requester disputes the answer and asks the authority for review (Art. 34)", List.of(),
                    "{\"token\" (the review token the filing returned), \"reason\"}",
                    ordered(202, "review requested", 400, "a missing or bad field", 403, "wrong review token",
                            404, "no such request", 409, "not answered yet, or review already asked for",
                            429, "rate-limited")),
            new Operation(Feature.OPEN_DATA, "POST", "/open/datasets/{code}/comments", "open data", Access.ANONYMOUS,
                    "Comment on and rate an open dataset (Art. 35)", List.of(),
                    "{\"text\", \"rating\" (1-5), \"name\"?}",
                    ordered(201, "the comment", 400, "a missing or bad field", 404, "no such open dataset",
                            429, "rate-limited")),
            new Operation(Feature.OPEN_DATA, "GET", "/open/datasets/{code}/comments", "open data", Access.ANONYMOUS,
                    "The comments on an open dataset, newest first, with their count and mean rating",
                    List.of(new Param("limit", "1-100 (default 20)"), new Param("offset", "default 0")), null,
                    ordered(200, "{dataset, count, rating, comments}", 400, "bad limit or offset",
                            404, "no such open dataset", 429, "rate-limited")),
            new Operation(Feature.OPEN_DATA, "POST", "/api/v1/comments/{id}/answer", "open data", Access.DEPARTMENT,
                    "The dataset's provider answers a comment (Art. 35)", List.of(), "{\"answer\"}",
                    ordered(200, "the comment with its answer", 400, "no answer", 403, "not the dataset's provider",
                            404, "no such comment")),
            new Operation(Feature.DEPARTMENTS, "POST", ApiPaths.GRANTS + "/{id}/narrow", "grants", Access.DEPARTMENT,
                    "Narrow an active grant on a resource the caller provides: fewer fields, a row filter joined with &&, fewer"
                            + " items in clear (what the consumer holds outside the new terms is withdrawn)", List.of(),
                    "{\"fields\"?, \"filter\"? (CEL), \"clear\"?, \"reason\"} with at least one of fields, filter and clear",
                    COMMAND));

    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");

    private ApiDocument() {
    }

    /** The routes of the given parts, in the table's order. */
    public static List<Operation> operations(Set<Feature> features) {
        return OPERATIONS.stream().filter(o -> features.contains(o.feature())).toList();
    }

    /** Every route of every part. */
    public static List<Operation> operations() {
        return operations(EnumSet.allOf(Feature.class));
    }

    /** The OpenAPI 3 document of the given parts. */
    public static String openApi(Set<Feature> features, String version) {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode doc = json.createObjectNode();
        doc.put("openapi", "3.0.3");
        ObjectNode info = doc.putObject("info");
        info.put("title", "Tianfu Data Exchange Bus HTTP API");
        info.put("version", version);
        info.put("description", "Every caller acts only as itself: department routes take HTTP basic credentials of a"
                + " department (its sasl.username and sasl.password) and never a department named in the body. Errors are"
                + " {\"error_code\": N, \"message\": \"...\"}.");
        ObjectNode schemes = doc.putObject("components").putObject("securitySchemes");
        schemes.putObject("department").put("type", "http").put("scheme", "basic");
        schemes.putObject("person").put("type", "http").put("scheme", "bearer").put("bearerFormat", "JWT");
        ObjectNode error = ((ObjectNode) doc.get("components")).putObject("schemas").putObject("Error");
        error.put("type", "object");
        ObjectNode props = error.putObject("properties");
        props.putObject("error_code").put("type", "integer");
        props.putObject("message").put("type", "string");
        ObjectNode paths = doc.putObject("paths");
        for (Operation o : operations(features)) {
            ObjectNode path = paths.has(o.path()) ? (ObjectNode) paths.get(o.path()) : paths.putObject(o.path());
            ObjectNode op = path.putObject(o.method().toLowerCase(java.util.Locale.ROOT));
            op.putArray("tags").add(o.tag());
            op.put("summary", o.summary());
            op.put("operationId", operationId(o));
            ArrayNode params = json.createArrayNode();
            Matcher m = PATH_PARAM.matcher(o.path());
            while (m.find()) {
                ObjectNode p = params.addObject();
                p.put("name", m.group(1)).put("in", "path").put("required", true);
                p.putObject("schema").put("type", "string");
            }
            for (Param q : o.query()) {
                ObjectNode p = params.addObject();
                p.put("name", q.name()).put("in", "query").put("required", false).put("description", q.description());
                p.putObject("schema").put("type", "string");
            }
            if (!params.isEmpty()) {
                op.set("parameters", params);
            }
            if (o.body() != null) {
                ObjectNode body = op.putObject("requestBody");
                body.put("required", true).put("description", o.body());
                ObjectNode content = body.putObject("content");
                content.putObject("application/json").putObject("schema").put("type", "object");
                if (o.path().startsWith(ApiPaths.CATALOG)) {
                    content.putObject("application/yaml").putObject("schema").put("type", "string");
                }
            }
            switch (o.access()) {
                case ANONYMOUS -> op.putArray("security");
                case DEPARTMENT -> op.putArray("security").addObject().putArray("department");
                case PERSON -> op.putArray("security").addObject().putArray("person");
            }
            Map<Integer, String> responses = new java.util.TreeMap<>(o.responses());
            if (o.access() == Access.DEPARTMENT) {
                responses.put(401, "no valid credentials");
                responses.put(429, "too many failed logins from the caller's address (Retry-After)");
            }
            ObjectNode rs = op.putObject("responses");
            responses.forEach((status, what) -> {
                ObjectNode r = rs.putObject(Integer.toString(status));
                r.put("description", what);
                if (status >= 400) {
                    r.putObject("content").putObject("application/json").putObject("schema").put("$ref", "#/components/schemas/Error");
                }
            });
        }
        try {
            return json.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String operationId(Operation o) {
        StringBuilder b = new StringBuilder(o.method().toLowerCase(java.util.Locale.ROOT));
        for (String part : o.path().split("[/.{}-]+")) {
            if (!part.isEmpty()) {
                b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return b.toString();
    }

    private static Map<Integer, String> ordered(Object... pairs) {
        Map<Integer, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((Integer) pairs[i], (String) pairs[i + 1]);
        }
        return m;
    }

    private static Map<Integer, String> merged(Map<Integer, String> base, Map<Integer, String> over) {
        Map<Integer, String> m = new LinkedHashMap<>(base);
        m.putAll(over);
        return m;
    }
}
