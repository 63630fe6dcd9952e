package org.relprune.run;

import com.google.gson.JsonObject;
import java.util.Map;
import org.relprune.run.Backends;

/** Versions written next to every result, so that a number can be traced to the code that made it. */
public final class Provenance {
    private Provenance() {
    }

    public static JsonObject versions() {
        JsonObject o = new JsonObject();
        String v = Provenance.class.getPackage().getImplementationVersion();
        o.addProperty("relprune", v == null ? "dev" : v);
        o.addProperty("java", System.getProperty("java.version"));
        for (Map.Entry<String, String> e : Backends.versions().entrySet()) {
            o.addProperty(e.getKey(), e.getValue());
        }
        return o;
    }
}
