package cn.tianfu.databus.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import cn.tianfu.databus.contract.ApiPaths;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

/** The OpenAPI document of every part of the API, read by swagger-parser. */
class ApiDocumentTest {

    @Test
    void theDocumentOfEveryPartParsesWithoutComplaintAndHoldsEveryRouteOnce() {
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(
                ApiDocument.openApi(EnumSet.allOf(ApiDocument.Feature.class), "test"));
        assertThat(parsed.getMessages()).isEmpty();
        OpenAPI api = parsed.getOpenAPI();
        Set<String> documented = new HashSet<>();
        api.getPaths().forEach((path, item) -> item.readOperationsMap().keySet().forEach(m -> documented.add(m.name() + " " + path)));
        Set<String> tabled = new HashSet<>();
        ApiDocument.operations().forEach(o -> assertThat(tabled.add(o.method() + " " + o.path())).as(o.path()).isTrue());
        assertThat(documented).isEqualTo(tabled);

        Operation decide = api.getPaths().get(ApiPaths.REQUESTS + "/{id}/decision").getPost();
        assertThat(decide.getParameters()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("id");
            assertThat(p.getIn()).isEqualTo("path");
        });
        assertThat(decide.getResponses()).containsKeys("200", "400", "401", "403", "404", "429");
        assertThat(decide.getSecurity()).singleElement().satisfies(s -> assertThat(s).containsKey("department"));
        assertThat(api.getPaths().get(ApiPaths.OPENAPI).getGet().getSecurity()).isEmpty();
    }

    @Test
    void aServerWithoutTheServiceExchangeDocumentsNoneOfItsRoutes() {
        OpenAPI api = new OpenAPIV3Parser().readContents(ApiDocument.openApi(EnumSet.of(ApiDocument.Feature.BASE,
                ApiDocument.Feature.DEPARTMENTS), "test")).getOpenAPI();
        assertThat(api.getPaths()).containsKey(ApiPaths.CATALOG).doesNotContainKey(ApiPaths.KEYS)
                .doesNotContainKey("/open/{file}").doesNotContainKey(ApiPaths.METRICS);
        PathItem catalog = api.getPaths().get(ApiPaths.CATALOG);
        assertThat(catalog.getGet()).isNotNull();
        assertThat(catalog.getPost().getRequestBody().getContent()).containsKeys("application/json", "application/yaml");
    }
}
