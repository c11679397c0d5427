package cn.tianfu.databus.opendata;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Category;
import cn.tianfu.databus.schemas.UpdateFrequency;

/**
 * The open catalog as DCAT-AP 3: one {@code dcat:Catalog} whose {@code dcat:dataset}s are the open resources, each
 * with {@code dct:identifier}, {@code dct:title}, {@code dct:description}, {@code dct:publisher} (a
 * {@code foaf:Agent}, the providing department), {@code dcat:theme} (its category as a {@code skos:Concept}),
 * {@code dct:accrualPeriodicity} (the EU frequency vocabulary), {@code dct:issued}, {@code dct:modified},
 * {@code dcat:keyword}, and a CSV and a JSON {@code dcat:Distribution} with {@code dcat:accessURL},
 * {@code dcat:downloadURL}, {@code dcat:mediaType} (IANA) and {@code dct:format}.
 *
 * <pre>{@code
 * Rdf graph = Dcat.catalog(openEntries, dept -> names.getOrDefault(dept, dept), "http://bus:8080", modified);
 * String ttl = graph.turtle();
 * String jsonld = graph.jsonLd();
 * }</pre>
 */
public final class Dcat {

    public static final String DCAT = "http://www.w3.org/ns/dcat#";
    public static final String DCT = "http://purl.org/dc/terms/";
    public static final String FOAF = "http://xmlns.com/foaf/0.1/";
    public static final String SKOS = "http://www.w3.org/2004/02/skos/core#";
    public static final String FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/";
    public static final String FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/";
    public static final String IANA = "http://www.iana.org/assignments/media-types/";

    private Dcat() {
    }

    /** The EU frequency vocabulary's concept of a declared update frequency. */
    public static String frequency(UpdateFrequency f) {
        return FREQUENCY + switch (f) {
            case REAL_TIME -> "CONT";
            case DAILY -> "DAILY";
            case WEEKLY -> "WEEKLY";
            case MONTHLY -> "MONTHLY";
            case QUARTERLY -> "QUARTERLY";
            case YEARLY -> "ANNUAL";
            case IRREGULAR -> "IRREG";
        };
    }

    public static String catalogIri(String base) {
        return base + "/catalog";
    }

    public static String datasetIri(String base, String code) {
        return base + "/dataset/" + code;
    }

    public static String distributionIri(String base, String code, CkanPackages.Format f) {
        return datasetIri(base, code) + "/" + f.suffix();
    }

    public static String publisherIri(String base, String dept) {
        return base + "/organization/" + dept;
    }

    public static String themeIri(String base, Category c) {
        return base + "/theme/" + c.name();
    }

    /**
     * The catalog graph.
     *
     * @param entries  the open entries ({@link Opening#isOpen})
     * @param orgTitle a department's name by its id
     * @param base     the bus's HTTP root, without a trailing slash
     * @param modified when the catalog last changed
     */
    public static Rdf catalog(List<CatalogEntry> entries, Function<String, String> orgTitle, String base, Instant modified) {
        Rdf g = new Rdf().prefix("dcat", DCAT).prefix("dct", DCT).prefix("foaf", FOAF).prefix("skos", SKOS)
                .prefix("xsd", Rdf.XSD);
        String catalog = catalogIri(base);
        String dt = Rdf.XSD + "dateTime";
        g.type(catalog, DCAT + "Catalog")
                .text(catalog, DCT + "title", "天府公共数据开放目录", "zh")
                .text(catalog, DCT + "description", "成都市公共数据开放目录：向社会开放的公共数据资源（开放属性、开放信息项、下载）。", "zh")
                .iri(catalog, DCT + "publisher", publisherIri(base, "authority"))
                .typed(catalog, DCT + "modified", modified.toString(), dt)
                .iri(catalog, FOAF + "homepage", base + "/api/3/action/package_list");
        g.type(publisherIri(base, "authority"), FOAF + "Agent").text(publisherIri(base, "authority"), FOAF + "name", "公共数据主管部门", "zh");
        Set<String> publishers = new LinkedHashSet<>();
        Set<Category> themes = new LinkedHashSet<>();
        for (CatalogEntry e : entries) {
            String ds = datasetIri(base, e.getCode());
            g.iri(catalog, DCAT + "dataset", ds);
            g.type(ds, DCAT + "Dataset")
                    .text(ds, DCT + "identifier", e.getCode(), null)
                    .text(ds, DCT + "title", e.getName(), "zh")
                    .text(ds, DCT + "description", e.getSummary(), "zh")
                    .iri(ds, DCT + "publisher", publisherIri(base, e.getProvider()))
                    .iri(ds, DCAT + "theme", themeIri(base, e.getCategory()))
                    .iri(ds, DCT + "accrualPeriodicity", frequency(e.getUpdateFrequency()))
                    .typed(ds, DCT + "issued", e.getPublishDate().toString(), Rdf.XSD + "date")
                    .typed(ds, DCT + "modified", e.getLastChanged().toString(), dt);
            for (String tag : CkanPackages.tags(e)) {
                g.text(ds, DCAT + "keyword", tag, "zh");
            }
            if (e.getOpenConditions() != null) {
                g.text(ds, DCT + "accessRights", e.getOpenConditions(), "zh");
            }
            for (CkanPackages.Format f : CkanPackages.Format.values()) {
                String dist = distributionIri(base, e.getCode(), f);
                String url = base + CkanPackages.downloadPath(e.getCode(), f);
                g.iri(ds, DCAT + "distribution", dist);
                g.type(dist, DCAT + "Distribution")
                        .text(dist, DCT + "title", e.getName() + " (" + f.name() + ")", "zh")
                        .iri(dist, DCAT + "accessURL", url)
                        .iri(dist, DCAT + "downloadURL", url)
                        .iri(dist, DCAT + "mediaType", IANA + f.mediaType())
                        .iri(dist, DCT + "format", FILE_TYPE + f.name())
                        .typed(dist, DCT + "modified", e.getLastChanged().toString(), dt);
            }
            publishers.add(e.getProvider());
            themes.add(e.getCategory());
        }
        for (String p : publishers) {
            g.type(publisherIri(base, p), FOAF + "Agent").text(publisherIri(base, p), FOAF + "name", orgTitle.apply(p), "zh");
        }
        if (!themes.isEmpty()) {
            String scheme = base + "/themes";
            g.type(scheme, SKOS + "ConceptScheme").text(scheme, DCT + "title", "信息资源分类（按属性，第十五条）", "zh");
            g.iri(catalog, DCAT + "themeTaxonomy", scheme);
            for (Category c : themes) {
                String t = themeIri(base, c);
                g.type(t, SKOS + "Concept").text(t, SKOS + "prefLabel", CkanPackages.categoryLabel(c) + "信息资源", "zh")
                        .iri(t, SKOS + "inScheme", scheme);
            }
        }
        return g;
    }
}
