using DmpActors.Domain.Recommendations;

namespace DmpActors.Domain.Tests.Recommendations;

public class ContentIndexTests
{
    private static ItemCatalogue Catalogue()
    {
        var c = new ItemCatalogue();
        c.Put(Shop.Item("shoe-1", "shoes", "Trail running shoe", true, "running", "trail"));
        c.Put(Shop.Item("shoe-2", "shoes", "Leather office shoe", true, "leather"));
        c.Put(Shop.Item("sock-1", "socks", "Running socks", true, "running"));
        c.Put(Shop.Item("pan-1", "kitchen", "Cast iron pan", true, "iron"));
        c.Put(Shop.Item("kettle-1", "kitchen", "Electric kettle", true));
        return c;
    }

    [Fact]
    public void A_new_item_without_history_has_content_neighbours_at_once()
    {
        var c = Catalogue();
        c.Put(Shop.Item("shoe-new", "shoes", "Waterproof trail running shoe", true, "running", "trail"));

        var neighbours = c.Content.NeighboursOf("shoe-new");

        Assert.Equal("shoe-1", neighbours[0].ItemId);
        Assert.Equal(["shoe-1", "sock-1", "shoe-2"], neighbours.Select(n => n.ItemId));
        Assert.DoesNotContain(neighbours, n => n.ItemId.StartsWith("pan") || n.ItemId.StartsWith("kettle"));
        Assert.All(neighbours, n => Assert.InRange(n.Score, 1e-9, 1));
    }

    [Fact]
    public void Cosine_is_one_for_identical_terms_symmetric_and_zero_without_shared_terms()
    {
        var c = Catalogue();
        c.Put(Shop.Item("shoe-1-copy", "shoes", "Trail running shoe", true, "running", "trail"));

        Assert.Equal(1.0, c.Content.Similarity("shoe-1", "shoe-1-copy"), 12);
        Assert.Equal(c.Content.Similarity("shoe-1", "sock-1"), c.Content.Similarity("sock-1", "shoe-1"), 12);
        Assert.Equal(0, c.Content.Similarity("shoe-1", "kettle-1"));
    }

    [Fact]
    public void Cosine_matches_a_hand_computed_tf_idf()
    {
        var c = new ItemCatalogue();
        c.Put(Shop.Item("a", "x", "red apple"));
        c.Put(Shop.Item("b", "y", "red cherry"));
        c.Put(Shop.Item("z", "z", "plum"));

        // N = 3. Terms of a: red (df 2), apple (df 1), cat:x (df 1); of b: red, cherry (df 1), cat:y (df 1).
        double rare = Math.Log(1 + 3.0), common = Math.Log(1 + 1.5);
        var expected = common * common / (common * common + 2 * rare * rare);
        Assert.Equal(expected, c.Content.Similarity("a", "b"), 12);
    }

    [Fact]
    public void Terms_are_title_words_tags_and_the_category()
    {
        var terms = ContentIndex.TermsOf(Shop.Item("x", "Shoes", "Trail-running shoe, size 42 a", true, "Running"));

        Assert.Equal(["trail", "running", "shoe", "size", "42", "tag:running", "cat:shoes"], terms.Keys);
    }

    [Fact]
    public void A_changed_item_is_reindexed_and_a_removed_one_leaves_its_neighbours()
    {
        var c = Catalogue();
        Assert.Contains(c.Content.NeighboursOf("sock-1"), n => n.ItemId == "shoe-1");

        c.Put(Shop.Item("shoe-1", "shoes", "Formal shoe", true));
        Assert.DoesNotContain(c.Content.NeighboursOf("sock-1"), n => n.ItemId == "shoe-1");

        c.Content.Remove("shoe-2");
        Assert.DoesNotContain(c.Content.NeighboursOf("shoe-1"), n => n.ItemId == "shoe-2");
    }
}
