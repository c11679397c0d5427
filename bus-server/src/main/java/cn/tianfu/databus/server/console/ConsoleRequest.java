package cn.tianfu.databus.server.console;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import cn.tianfu.databus.auth.Authenticator;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

/**
 * One request to a console page: the signed-in session, the person's language, the API as that principal, and the
 * layout a page renders into.
 */
public final class ConsoleRequest {

    private final Context ctx;
    private final Sessions.Session session;
    private final Messages messages;
    private final Console console;

    ConsoleRequest(Context ctx, Sessions.Session session, Messages messages, Console console) {
        this.ctx = ctx;
        this.session = session;
        this.messages = messages;
        this.console = console;
    }

    /** The Javalin context (headers, path and query parameters). */
    public Context ctx() {
        return ctx;
    }

    /** The signed-in principal. */
    public Authenticator.Caller caller() {
        return session.caller();
    }

    public Sessions.Session session() {
        return session;
    }

    /** The text of {@code key} in the person's language. */
    public String t(String key, Object... args) {
        return messages.get(key, args);
    }

    public Messages messages() {
        return messages;
    }

    /** The HTTP API, called as the signed-in principal. */
    public ApiClient.Answer apiGet(String path) {
        return console.api().get(session, path);
    }

    /** The HTTP API, called as the signed-in principal with a JSON body. */
    public ApiClient.Answer apiPost(String path, com.fasterxml.jackson.databind.JsonNode body) {
        return console.api().post(session, path, body);
    }

    /** The HTTP API, called as the signed-in principal with a text body (a resource definition's YAML). */
    public ApiClient.Answer apiPostText(String path, String body, String contentType) {
        return console.api().postText(session, path, body, contentType);
    }

    /** {@code PUT} on the HTTP API as the signed-in principal with a text body. */
    public ApiClient.Answer apiPutText(String path, String body, String contentType) {
        return console.api().putText(session, path, body, contentType);
    }

    /** What the console's pages read besides the API (the working-day calendar, the clock, delivery counts). */
    public ConsoleServices services() {
        return console.services();
    }

    /** A path parameter. */
    public String path(String name) {
        return ctx.pathParam(name);
    }

    /** A query parameter, empty when absent or blank. */
    public Optional<String> query(String name) {
        return Optional.ofNullable(ctx.queryParam(name)).map(String::trim).filter(s -> !s.isEmpty());
    }

    /** A form field, empty when absent or blank. */
    public Optional<String> form(String name) {
        return Optional.ofNullable(ctx.formParam(name)).map(String::trim).filter(s -> !s.isEmpty());
    }

    /** Every value of a repeated form field (checkboxes). */
    public List<String> formList(String name) {
        return ctx.formParams(name);
    }

    /** The hidden field carrying the session's CSRF token, for every form. */
    public String csrfField() {
        return "<input type=\"hidden\" name=\"" + Console.CSRF_FIELD + "\" value=\"" + Html.esc(session.csrf()) + "\">";
    }

    /** The URL of a console page ({@code path} relative to the console). */
    public String href(String path) {
        return Console.PATH + path;
    }

    /** Shows a message on the next page this session opens (after a redirect). */
    public void flash(String text, boolean error) {
        session.flash(text, error);
    }

    /** Answers with the page: the layout around {@code body}, titled by {@code titleKey}. */
    public void render(String titleKey, String body) {
        render(200, titleKey, body);
    }

    /** As {@link #render(String, String)} with a status. */
    public void render(int status, String titleKey, String body) {
        html(status, console.layout().page(this, t(titleKey), body));
    }

    /** Sends to another console page after a form (303, so a reload does not post again). */
    public void redirect(String path) {
        ctx.redirect(href(path), HttpStatus.SEE_OTHER);
    }

    void html(int status, String page) {
        ctx.status(status).contentType("text/html; charset=utf-8").result(page.getBytes(StandardCharsets.UTF_8));
    }

    List<ConsolePages.MenuEntry> menu() {
        return console.menu().stream().filter(m -> m.audience().test(caller())).toList();
    }
}
