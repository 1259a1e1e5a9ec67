package io.wagateway.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Parts written on their own with $1..$k compose: each part's parameters follow the previous ones'. */
class CombinedWriteTest {

    @Test
    void partsAreRenumberedInOrderAndTheirArgumentsFollow() {
        CombinedWrite write = new CombinedWrite()
                .part("a", "insert into t (x, y) values ($1, $2) returning x", "x1", "y1")
                .part("b", "update u set z = $1 where id = $2 and $1 <> $10", "z", 7);
        assertEquals("""
                with a as (insert into t (x, y) values ($1, $2) returning x),
                b as (update u set z = $3 where id = $4 and $3 <> $12)
                select $5, (select count(*) from a)""", write.sql("select $1, (select count(*) from a)"));
        assertEquals(List.of("x1", "y1", "z", 7, "last"), write.arguments("last"));
    }
}
