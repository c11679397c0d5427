package cn.tianfu.databus.server.console;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import cn.tianfu.databus.auth.Authenticator;
import cn.tianfu.databus.contract.Principals;

/**
 * Where a {@link ConsoleFeature} registers its pages ({@code GET}), its forms ({@code POST}, CSRF-checked before the
 * handler runs) and its menu entries. Paths are relative to {@link Console#PATH}. Every page needs a signed-in session;
 * a menu entry shows only to the principals it is meant for, and only because its page is registered.
 */
public final class ConsolePages {

    /** A page or form handler. */
    @FunctionalInterface
    public interface Page {
        void handle(ConsoleRequest request) throws Exception;
    }

    /** The menu's sections, in the order they are shown; each has the message key {@code menu.section.<name>}. */
    public enum Section {
        CATALOG, CONSUMER, PROVIDER, AUTHORITY, AUDIT;

        public String key() {
            return "menu.section." + name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Who a menu entry is for. */
    public static final class Audience {
        private Audience() {
        }

        /** A department (not the bus's own principal, not an auditor). */
        public static final Predicate<Authenticator.Caller> DEPARTMENT = c -> !c.admin() && !c.name().startsWith(Principals.AUDITOR_PREFIX);
        /** The bus's own principal (the data authority's operators). */
        public static final Predicate<Authenticator.Caller> AUTHORITY = Authenticator.Caller::admin;
        /** An auditor. */
        public static final Predicate<Authenticator.Caller> AUDITOR = c -> !c.admin() && c.name().startsWith(Principals.AUDITOR_PREFIX);
        /** Anyone signed in. */
        public static final Predicate<Authenticator.Caller> ANYONE = c -> true;
    }

    /** One menu entry: a page's path (relative to the console), its label's message key and who sees it. */
    public record MenuEntry(Section section, String path, String labelKey, Predicate<Authenticator.Caller> audience) {
    }

    /** One registered route. */
    record Route(String method, String path, Page page) {
    }

    private final List<MenuEntry> menu = new ArrayList<>();
    private final List<Route> routes = new ArrayList<>();

    ConsolePages() {
    }

    /** A page at {@code GET /console<path>} (path parameters as {@code {name}}). */
    public ConsolePages get(String path, Page page) {
        return add(new Route("GET", path, page));
    }

    /** A form target at {@code POST /console<path>}; its CSRF token is checked before {@code page} runs. */
    public ConsolePages post(String path, Page page) {
        return add(new Route("POST", path, page));
    }

    /**
     * Adds {@code route} unless a route added before it would answer every request it is for: the router takes the
     * first route that matches, so {@code /reports/mine} after {@code /reports/{id}} would never be reached.
     */
    private ConsolePages add(Route route) {
        for (Route earlier : routes) {
            if (earlier.method().equals(route.method()) && covers(earlier.path(), route.path())) {
                throw new IllegalArgumentException(route.method() + " " + route.path() + " would never be reached: "
                        + earlier.path() + ", registered before it, matches it");
            }
        }
        routes.add(route);
        return this;
    }

    /** Whether every path {@code later} matches is matched by {@code earlier} too. */
    static boolean covers(String earlier, String later) {
        String[] a = earlier.split("/", -1);
        String[] b = later.split("/", -1);
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            boolean any = a[i].startsWith("{") && a[i].endsWith("}");
            if (!any && !a[i].equals(b[i])) {
                return false;
            }
        }
        return true;
    }

    /** A menu entry leading to {@code path}, shown to the principals {@code audience} accepts. */
    public ConsolePages menu(Section section, String path, String labelKey, Predicate<Authenticator.Caller> audience) {
        menu.add(new MenuEntry(section, path, labelKey, audience));
        return this;
    }

    List<MenuEntry> menu() {
        return List.copyOf(menu);
    }

    List<Route> routes() {
        return List.copyOf(routes);
    }
}
