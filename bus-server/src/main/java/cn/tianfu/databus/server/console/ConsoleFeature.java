package cn.tianfu.databus.server.console;

/**
 * One feature of the console (the catalog, a consumer's requests, a provider's decisions, …): it registers its pages
 * and its menu entries. A feature is added to the console by one line in {@link Console#FEATURES}.
 */
@FunctionalInterface
public interface ConsoleFeature {

    /** Adds the feature's pages and menu entries. */
    void register(ConsolePages pages);
}
