package cn.tianfu.databus.governance.app;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.Schema;

import cn.tianfu.databus.registry.CompatibilityResult;
import cn.tianfu.databus.registry.MockSchemaRegistryClient;
import cn.tianfu.databus.registry.RegisteredSchema;
import cn.tianfu.databus.registry.SchemaRegistryClient;

/**
 * A registry that answers like {@link MockSchemaRegistryClient} until told to fail: then the named calls throw an
 * exception no rule expects (as a broken library would), not a {@link cn.tianfu.databus.registry.SchemaRegistryException}.
 */
final class FailingRegistry implements SchemaRegistryClient {

    final MockSchemaRegistryClient delegate = new MockSchemaRegistryClient();
    /** Calls that throw: "testCompatibility", or "schemaById:<id>" for one id. */
    final Set<String> failing = ConcurrentHashMap.newKeySet();

    private void check(String call) {
        if (failing.contains(call)) {
            throw new IllegalStateException("the registry library failed in " + call);
        }
    }

    @Override
    public int register(String subject, Schema schema) {
        check("register");
        return delegate.register(subject, schema);
    }

    @Override
    public Schema schemaById(int id) {
        check("schemaById:" + id);
        return delegate.schemaById(id);
    }

    @Override
    public RegisteredSchema latest(String subject) {
        return delegate.latest(subject);
    }

    @Override
    public RegisteredSchema version(String subject, int version) {
        return delegate.version(subject, version);
    }

    @Override
    public Optional<RegisteredSchema> lookup(String subject, Schema schema) {
        return delegate.lookup(subject, schema);
    }

    @Override
    public List<String> subjects() {
        return delegate.subjects();
    }

    @Override
    public List<Integer> versions(String subject) {
        return delegate.versions(subject);
    }

    @Override
    public CompatibilityResult testCompatibility(String subject, Schema schema) {
        check("testCompatibility");
        return delegate.testCompatibility(subject, schema);
    }

    @Override
    public String compatibility(Optional<String> subject) {
        return delegate.compatibility(subject);
    }

    @Override
    public void setCompatibility(Optional<String> subject, String level) {
        delegate.setCompatibility(subject, level);
    }

    @Override
    public List<Integer> deleteSubject(String subject, boolean permanent) {
        return delegate.deleteSubject(subject, permanent);
    }

    @Override
    public int deleteVersion(String subject, int version, boolean permanent) {
        return delegate.deleteVersion(subject, version, permanent);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
