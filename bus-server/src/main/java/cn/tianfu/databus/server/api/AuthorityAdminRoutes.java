package cn.tianfu.databus.server.api;

import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;

import cn.tianfu.databus.client.AvroJson;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.contract.Principals;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.department.DepartmentExistsException;
import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.kafka.CompactedTopicReader;
import cn.tianfu.databus.schemas.Department;
import cn.tianfu.databus.schemas.Expert;
import cn.tianfu.databus.schemas.PublicReviewDecision;
import cn.tianfu.databus.schemas.QualityScore;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.server.ClientFiles;
import io.javalin.config.JavalinConfig;
import io.javalin.http.HttpResponseException;

/**
 * What the public data authority administers over HTTP (the bus's own credentials; 403 for anyone else), as its CLI
 * does it:
 * <ul>
 * <li>{@code POST /api/v1/departments} {@code {"id","name","code"?}}: adds a department ({@code databus dept add}), with
 * the same checks; the answer (201) holds its client config, with its new password, this once: the bus keeps only a
 * verifier of the password;</li>
 * <li>{@code GET /api/v1/experts}, {@code POST /api/v1/experts} {@code {"id","name"?}}: the expert committee
 * ({@code databus expert list|add}), the new expert's client config in the answer, once;</li>
 * <li>{@code GET /api/v1/quality?resource=&dept=}: the latest quality scores of every resource, lowest overall first
 * ({@code databus quality});</li>
 * <li>{@code POST /api/v1/public-requests/{id}/review-opinion} {@code {"text"}} and
 * {@code POST /api/v1/public-requests/{id}/review} {@code {"decision":"uphold|overturn","reason"}}: the authority's review
 * of a provider's answer to a public request (Art. 34), commands sent on {@code cmd.bus} with the bus's own credentials
 * as {@code databus public-requests review-opinion|review} send them.</li>
 * </ul>
 */
public final class AuthorityAdminRoutes {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private AuthorityAdminRoutes() {
    }

    /**
     * Adds the routes; the bus is administered and read with {@code bus}, and a new principal's client config names the
     * bus's {@code endpoints} (null, or a supplier answering null: departments and experts cannot be added here, 503).
     */
    public static void register(JavalinConfig config, ApiCalls calls, DatabusClientConfig bus, Supplier<BusEndpoints> endpoints) {
        CompactedTopicReader<QualityScore> quality = CompactedViews.open(config, bus, Topics.QUALITY, QualityScore.class,
                QualityScore::getResourceCode, "databus-http-quality");
        config.routes.post(ApiPaths.DEPARTMENTS, ctx -> {
            calls.authority(ctx, "adding a department");
            JsonNode body = ApiCalls.body(ctx);
            String id = ApiCalls.required(body, "id", "2-32 lower-case letters, digits and '-', starting with a letter (e.g. psb)");
            String name = ApiCalls.required(body, "name", "the department's name, e.g. 市公安局");
            Optional<String> code = ApiCalls.text(body, "code").map(String::trim).filter(s -> !s.isEmpty());
            try {
                Principals.checkDepartmentId(id);
            } catch (IllegalArgumentException e) {
                throw new HttpResponseException(400, e.getMessage());
            }
            BusEndpoints at = endpoints(endpoints);
            Departments.NewPrincipal<Department> added;
            try (Departments departments = Departments.connect(bus, TIMEOUT)) {
                added = departments.add(id, name.trim(), code);
            } catch (DepartmentExistsException e) {
                throw new HttpResponseException(409, e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new HttpResponseException(400, e.getMessage());
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("department", department(added.record()));
            out.put("principal", Principals.principal(id));
            out.put("commandTopic", Topics.commands(id));
            out.put("replyTopic", Topics.replies(id));
            out.put("clientConfig", ClientFiles.text(at, id, added));
            ctx.status(201).json(out);
        });
        config.routes.get(ApiPaths.EXPERTS, ctx -> {
            calls.authority(ctx, "the list of experts");
            List<Expert> experts;
            try (Departments departments = Departments.connect(bus, TIMEOUT)) {
                experts = departments.experts();
            }
            ctx.status(200).json(experts.stream().map(AuthorityAdminRoutes::expert).toList());
        });
        config.routes.post(ApiPaths.EXPERTS, ctx -> {
            calls.authority(ctx, "adding an expert");
            JsonNode body = ApiCalls.body(ctx);
            String id = ApiCalls.required(body, "id", "2-24 lower-case letters, digits and '-', starting with a letter (e.g. law-prof)");
            Optional<String> name = ApiCalls.text(body, "name").map(String::trim).filter(s -> !s.isEmpty());
            try {
                Principals.checkExpert(id);
            } catch (IllegalArgumentException e) {
                throw new HttpResponseException(400, e.getMessage());
            }
            BusEndpoints at = endpoints(endpoints);
            Departments.NewPrincipal<Expert> added;
            try (Departments departments = Departments.connect(bus, TIMEOUT)) {
                if (departments.findExpert(id).isPresent()) {
                    throw new HttpResponseException(409, "expert " + id + " already exists");
                }
                added = departments.addExpert(id, name);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("expert", expert(added.record()));
            out.put("principal", Principals.principal(added.principal()));
            out.put("clientConfig", ClientFiles.text(at, added.principal(), added));
            ctx.status(201).json(out);
        });
        config.routes.get(ApiPaths.QUALITY, ctx -> {
            calls.authority(ctx, "the quality evaluation");
            String resource = blankToNull(ctx.queryParam("resource"));
            String dept = blankToNull(ctx.queryParam("dept"));
            try {
                if (resource != null) {
                    Topics.checkResource(resource);
                }
                if (dept != null) {
                    Topics.checkDepartment(dept);
                }
            } catch (IllegalArgumentException e) {
                throw new HttpResponseException(400, e.getMessage());
            }
            List<QualityScore> scores = quality.refresh().values().stream()
                    .filter(s -> resource == null || resource.equals(s.getResourceCode()))
                    .filter(s -> dept == null || dept.equals(s.getProvider()))
                    .sorted(Comparator.comparing((QualityScore s) -> s.getOverall() == null ? 2.0 : s.getOverall())
                            .thenComparing(QualityScore::getResourceCode))
                    .toList();
            ApiCalls.sendJson(ctx, AvroJson.encode(scores, QualityScore.class));
        });
        config.routes.post(ApiPaths.PUBLIC_REQUESTS + "/{id}/review-opinion", ctx -> {
            calls.authority(ctx, "recording the expert committee's opinion on a review");
            String text = ApiCalls.required(ApiCalls.body(ctx), "text", "the committee's opinion");
            String id = ctx.pathParam("id");
            calls.commandOfAnyCaller(ctx, g -> g.recordReviewOpinion(id, text));
        });
        config.routes.post(ApiPaths.PUBLIC_REQUESTS + "/{id}/review", ctx -> {
            calls.authority(ctx, "deciding a review");
            JsonNode body = ApiCalls.body(ctx);
            String decision = ApiCalls.required(body, "decision", "uphold (the answer stands) or overturn (the provider must open)");
            PublicReviewDecision d = switch (decision) {
                case "uphold" -> PublicReviewDecision.UPHELD;
                case "overturn" -> PublicReviewDecision.OVERTURNED;
                default -> throw new HttpResponseException(400, "'decision' '" + decision + "' is unknown: use uphold or overturn");
            };
            String reason = ApiCalls.required(body, "reason", "the requester sees it on the status page");
            String id = ctx.pathParam("id");
            calls.commandOfAnyCaller(ctx, g -> g.decidePublicReview(id, d, reason));
        });
    }

    private static BusEndpoints endpoints(Supplier<BusEndpoints> endpoints) {
        BusEndpoints at = endpoints == null ? null : endpoints.get();
        if (at == null) {
            throw new HttpResponseException(503, "this server does not know the bus's endpoints for a client config:"
                    + " add the department with 'databus dept add' on the bus's machine");
        }
        return at;
    }

    private static Map<String, Object> department(Department d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.getId());
        m.put("name", d.getName());
        m.put("code", d.getCode());
        m.put("created", d.getCreated() == null ? null : d.getCreated().toString());
        return m;
    }

    private static Map<String, Object> expert(Expert e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.getId());
        m.put("principal", Principals.expertPrincipal(e.getId()));
        m.put("name", e.getName());
        m.put("created", e.getCreated() == null ? null : e.getCreated().toString());
        return m;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
