using DmpActors.Traffic.Catalogue;
using DmpActors.Traffic.Population;
using DmpActors.Traffic.Sessions;

namespace DmpActors.Traffic;

/// <summary>
/// Seeded synthetic e-commerce traffic. A fixed number of sessions run at once; each call to
/// <see cref="Next"/> advances one of them by one event, so sessions interleave like real visitors.
/// Pure: the only inputs are the options (seed included) and the clock value passed in. Not thread-safe.
/// </summary>
public sealed class TrafficGenerator
{
    private static readonly string[] Campaigns = ["camp-spring", "camp-loyalty", "camp-newcomer", "camp-clearance", "camp-bundle"];
    private static readonly string[] Variants = ["A", "B"];
    private static readonly string[] SearchModifiers = ["", "cheap ", "best ", "new ", "gift ", "premium ", "sale "];
    private static readonly string[] CustomNames = ["newsletter_signup", "wishlist_add", "share_product", "review_submitted", "store_locator"];
    private static readonly string[] StaticPages = ["", "deals", "cart", "account", "help", "new-arrivals"];
    private const string ShopUrl = "https://shop.example/";
    private const double NewDeviceProbability = 0.05;

    private readonly TrafficOptions _options;
    private readonly Random _random;
    private readonly ProductCatalogue _catalogue;
    private readonly BehaviourModel _model;
    private readonly SimulatedUser?[] _users;
    private readonly bool[] _inSession;
    private readonly ShopSession[] _sessions;
    private readonly EventJsonWriter _writer;
    private readonly string _runId;
    private long _sessionCounter;
    private long _orderCounter;

    public TrafficGenerator(TrafficOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _random = new Random(options.Seed);
        _catalogue = new ProductCatalogue(options.Categories, options.ItemsPerCategory, options.ZipfExponent, options.PriceSigma, _random);
        _model = new BehaviourModel(options.Seed, options.Groups, _catalogue.Categories);
        _users = new SimulatedUser?[options.Users];
        _inSession = new bool[options.Users];
        _runId = options.RunId ?? $"s{options.Seed}";
        _writer = new EventJsonWriter(_runId);
        // At most half the users are in a session at once, so a free user is found in a few draws.
        _sessions = new ShopSession[Math.Max(1, Math.Min(options.ConcurrentSessions, options.Users / 2))];
        for (var i = 0; i < _sessions.Length; i++) _sessions[i] = StartSession();
    }

    public TrafficOptions Options => _options;

    public ProductCatalogue Catalogue => _catalogue;

    /// <summary>Events produced so far.</summary>
    public long Produced => _writer.Sequence;

    /// <summary>The behavioural groups and their click model.</summary>
    public BehaviourModel Model => _model;

    /// <summary>The latent truth of this run: groups, click model and every user's group, independent of how much traffic has flowed.</summary>
    public TrafficGroundTruth GroundTruth()
    {
        var users = new UserGroundTruth[_users.Length];
        for (var i = 0; i < users.Length; i++)
        {
            var user = _users[i] ?? SimulatedUser.Create(_options.Seed, i, _options, _model);
            users[i] = new UserGroundTruth(user.UserId, user.Group, _catalogue.Categories[user.HomeCategory], user.StartsAnonymous);
        }
        return new TrafficGroundTruth(_options.Seed, _catalogue.Categories, _model.Groups, users);
    }

    private SimulatedUser User(int index) => _users[index] ??= SimulatedUser.Create(_options.Seed, index, _options, _model);

    public GeneratedEvent Next(DateTimeOffset now)
    {
        if (_options.InvalidShare > 0 && _random.NextDouble() < _options.InvalidShare)
            return NextInvalid(now);

        while (true)
        {
            var slot = _random.Next(_sessions.Length);
            var generated = Step(_sessions[slot], now);
            if (generated is not null) return generated;
            _sessions[slot] = StartSession();
        }
    }

    private GeneratedEvent? Step(ShopSession session, DateTimeOffset now)
    {
        var user = session.User;
        if (!session.Started)
        {
            session.Started = true;
            user.SessionsStarted++;
            var consentChance = user.SessionsStarted == 1 ? _options.ConsentProbability : _options.ConsentChangeProbability;
            if (_random.NextDouble() < consentChance)
                session.FollowUps.Enqueue(new FollowUp(FollowUpKind.Consent));
            if (user.Identified && user.SessionsStarted > 1 && _random.NextDouble() < NewDeviceProbability)
            {
                // Known user on a new device: a fresh anonymous id the platform should merge via alias.
                user.AnonymousId = SimulatedUser.NewAnonymousId(_random);
                session.FollowUps.Enqueue(new FollowUp(FollowUpKind.Alias));
            }
            return PageView(session, now, LandingUrl(user));
        }

        if (session.FollowUps.TryDequeue(out var followUp))
            return FollowUpEvent(session, followUp, now);

        if (session.RemainingSteps > 0)
        {
            session.RemainingSteps--;
            return BrowsingStep(session, now);
        }

        if (!session.CheckoutDecided)
        {
            session.CheckoutDecided = true;
            if (session.Cart.Count > 0 && _random.NextDouble() < Scaled(_options.PurchaseProbability, user))
                return Purchase(session, now);
        }

        _inSession[user.Index] = false;
        return null;
    }

    private GeneratedEvent BrowsingStep(ShopSession session, DateTimeOffset now)
    {
        var user = session.User;
        if (!user.Identified && _random.NextDouble() < _options.IdentifyProbability)
            return Identify(session, now);

        var roll = _random.NextDouble();
        if (roll < 0.55)
        {
            var product = _catalogue.SampleItem(PickCategory(user), _random);
            if (_random.NextDouble() < Scaled(_options.AddToCartProbability, user))
                session.FollowUps.Enqueue(new FollowUp(FollowUpKind.AddToCart, new CartLine(product, Quantity())));
            return ProductView(session, product, now);
        }
        if (roll < 0.67) return Search(session, now);
        if (roll < 0.80) return PageView(session, now, ShopUrl + StaticPages[_random.Next(StaticPages.Length)]);
        if (roll < 0.87) return OfferImpression(session, now);
        if (roll < 0.90)
        {
            if (session.Cart.Count == 0) return PageView(session, now, ShopUrl + "cart");
            var index = _random.Next(session.Cart.Count);
            var line = session.Cart[index];
            session.Cart.RemoveAt(index);
            return CartChange(session, EventTypes.RemoveFromCart, line, now);
        }
        return Custom(session, now);
    }

    private GeneratedEvent FollowUpEvent(ShopSession session, FollowUp followUp, DateTimeOffset now)
    {
        switch (followUp.Kind)
        {
            case FollowUpKind.AddToCart:
                session.Cart.Add(followUp.Line);
                return CartChange(session, EventTypes.AddToCart, followUp.Line, now);
            case FollowUpKind.OfferClick:
                return Offer(session, EventTypes.OfferClick, followUp.Offer, now);
            case FollowUpKind.Consent:
                return Consent(session, now);
            case FollowUpKind.Alias:
                return Alias(session, now);
            default:
                throw new InvalidOperationException($"Unhandled follow-up {followUp.Kind}");
        }
    }

    private ShopSession StartSession()
    {
        int index;
        SimulatedUser user;
        // Rejection on activity: members of busier groups start proportionally more sessions.
        do
        {
            index = _random.Next(_users.Length);
            user = User(index);
        } while (_inSession[index] || _random.NextDouble() >= _model.VisitAcceptance(user.Group));
        _inSession[index] = true;
        return new ShopSession($"{_runId}-s{++_sessionCounter}", user, BrowsingSteps());
    }

    /// <summary>Geometric number of browsing steps with the configured mean (at least one).</summary>
    private int BrowsingSteps()
    {
        var mean = _options.MeanBrowsingStepsPerSession;
        if (mean <= 1) return 1;
        var steps = Math.Ceiling(Math.Log(1.0 - _random.NextDouble()) / Math.Log(1.0 - 1.0 / mean));
        return (int)Math.Clamp(steps, 1, 10_000);
    }

    private double Scaled(double probability, SimulatedUser user) =>
        Math.Min(1.0, probability * _model.Groups[user.Group].PurchaseMultiplier);

    private int PickCategory(SimulatedUser user) =>
        _random.NextDouble() < _options.HomeCategoryAffinity ? user.HomeCategory : _random.Next(_options.Categories);

    private int Quantity() => _random.NextDouble() switch
    {
        < 0.8 => 1,
        < 0.95 => 2,
        _ => 3,
    };

    private string LandingUrl(SimulatedUser user) => _random.NextDouble() < 0.5
        ? ShopUrl
        : ShopUrl + "c/" + _catalogue.Categories[PickCategory(user)];

    // --- event writers: one per type; each begins with the common envelope ---

    private void Begin(ShopSession session, string type, DateTimeOffset now)
    {
        var user = session.User;
        _writer.Begin(type, user.Identified ? user.UserId : null, user.AnonymousId, now);
        _writer.BeginProperties(session.SessionId);
    }

    private GeneratedEvent Complete(ShopSession session, string type)
    {
        _writer.Json.WriteEndObject(); // properties
        return new GeneratedEvent(session.User.Key, _writer.Finish(), session.User.UserId, type);
    }

    private GeneratedEvent PageView(ShopSession session, DateTimeOffset now, string url)
    {
        Begin(session, EventTypes.PageView, now);
        _writer.Json.WriteString(EventJsonWriter.Url, url);
        return Complete(session, EventTypes.PageView);
    }

    private GeneratedEvent ProductView(ShopSession session, Product product, DateTimeOffset now)
    {
        Begin(session, EventTypes.ProductView, now);
        _writer.WriteProduct(product);
        return Complete(session, EventTypes.ProductView);
    }

    private GeneratedEvent Search(ShopSession session, DateTimeOffset now)
    {
        Begin(session, EventTypes.Search, now);
        var category = _catalogue.Categories[PickCategory(session.User)];
        _writer.Json.WriteString(EventJsonWriter.Query, SearchModifiers[_random.Next(SearchModifiers.Length)] + category);
        return Complete(session, EventTypes.Search);
    }

    private GeneratedEvent CartChange(ShopSession session, string type, CartLine line, DateTimeOffset now)
    {
        Begin(session, type, now);
        _writer.WriteProduct(line.Product);
        _writer.Json.WriteNumber(EventJsonWriter.Quantity, line.Quantity);
        return Complete(session, type);
    }

    private GeneratedEvent Purchase(ShopSession session, DateTimeOffset now)
    {
        Begin(session, EventTypes.Purchase, now);
        var json = _writer.Json;
        json.WriteString(EventJsonWriter.OrderId, $"{_runId}-o{++_orderCounter}");
        json.WriteStartArray(EventJsonWriter.Items);
        var revenue = 0m;
        foreach (var line in session.Cart)
        {
            json.WriteStartObject();
            _writer.WriteProduct(line.Product);
            json.WriteNumber(EventJsonWriter.Quantity, line.Quantity);
            json.WriteEndObject();
            revenue += line.Product.Price * line.Quantity;
        }
        json.WriteEndArray();
        json.WriteNumber(EventJsonWriter.Revenue, revenue);
        json.WriteString(EventJsonWriter.Currency, _options.Currency);
        session.Cart.Clear();
        return Complete(session, EventTypes.Purchase);
    }

    private GeneratedEvent Identify(ShopSession session, DateTimeOffset now)
    {
        var user = session.User;
        user.Identified = true;
        Begin(session, EventTypes.Identify, now);
        _writer.Json.WriteEndObject(); // properties
        var json = _writer.Json;
        json.WriteStartObject(EventJsonWriter.Traits);
        json.WriteString(EventJsonWriter.Email, user.Traits.Email);
        json.WriteNumber(EventJsonWriter.Age, user.Traits.Age);
        json.WriteString(EventJsonWriter.City, user.Traits.City);
        json.WriteString(EventJsonWriter.Gender, user.Traits.Gender);
        json.WriteString(EventJsonWriter.Language, user.Traits.Language);
        json.WriteEndObject();
        return new GeneratedEvent(user.Key, _writer.Finish(), user.UserId, EventTypes.Identify);
    }

    private GeneratedEvent Alias(ShopSession session, DateTimeOffset now)
    {
        Begin(session, EventTypes.Alias, now);
        _writer.Json.WriteString(EventJsonWriter.PreviousId, session.User.AnonymousId);
        return Complete(session, EventTypes.Alias);
    }

    private GeneratedEvent Consent(ShopSession session, DateTimeOffset now)
    {
        Begin(session, EventTypes.Consent, now);
        var json = _writer.Json;
        json.WriteStartObject(EventJsonWriter.Purposes);
        json.WriteBoolean(EventJsonWriter.Analytics, _random.NextDouble() < 0.85);
        json.WriteBoolean(EventJsonWriter.Personalization, _random.NextDouble() < 0.6);
        json.WriteBoolean(EventJsonWriter.Marketing, _random.NextDouble() < 0.4);
        json.WriteEndObject();
        return Complete(session, EventTypes.Consent);
    }

    private GeneratedEvent OfferImpression(ShopSession session, DateTimeOffset now)
    {
        var offer = new Offer(
            Campaigns[_random.Next(Campaigns.Length)],
            Variants[_random.Next(Variants.Length)],
            _catalogue.SampleItem(PickCategory(session.User), _random));
        if (_random.NextDouble() < _model.ClickProbability(session.User.Group, offer.Product.CategoryIndex))
            session.FollowUps.Enqueue(new FollowUp(FollowUpKind.OfferClick, Offer: offer));
        return Offer(session, EventTypes.OfferImpression, offer, now);
    }

    private GeneratedEvent Offer(ShopSession session, string type, Offer offer, DateTimeOffset now)
    {
        Begin(session, type, now);
        _writer.Json.WriteString(EventJsonWriter.CampaignId, offer.CampaignId);
        _writer.Json.WriteString(EventJsonWriter.VariantId, offer.VariantId);
        _writer.Json.WriteString(EventJsonWriter.ItemId, offer.Product.ItemId);
        return Complete(session, type);
    }

    private GeneratedEvent Custom(ShopSession session, DateTimeOffset now)
    {
        Begin(session, EventTypes.Custom, now);
        _writer.Json.WriteString(EventJsonWriter.Name, CustomNames[_random.Next(CustomNames.Length)]);
        return Complete(session, EventTypes.Custom);
    }

    // --- deliberately bad events, outside any session so they never disturb the funnel ---

    private GeneratedEvent NextInvalid(DateTimeOffset now)
    {
        var index = _random.Next(_users.Length);
        var user = User(index);
        var userId = user.Identified ? user.UserId : null;
        var url = ShopUrl + "c/" + _catalogue.Categories[user.HomeCategory];

        switch (_random.Next(3))
        {
            case 0:
            {
                _writer.Begin(EventTypes.PageView, userId, user.AnonymousId, now);
                WriteUrlProperties(url);
                var complete = _writer.Finish();
                // A truncated object is never valid JSON: the closing brace is always lost.
                return new GeneratedEvent(user.Key, complete[..(complete.Length * 2 / 3)], user.UserId, GeneratedEvent.MalformedJson);
            }
            case 1:
                _writer.Begin("teleport", userId, user.AnonymousId, now);
                WriteUrlProperties(url);
                return new GeneratedEvent(user.Key, _writer.Finish(), user.UserId, GeneratedEvent.UnknownType);
            default:
                _writer.Begin(EventTypes.PageView, null, null, now);
                WriteUrlProperties(url);
                return new GeneratedEvent("", _writer.Finish(), user.UserId, GeneratedEvent.MissingIds);
        }
    }

    private void WriteUrlProperties(string url)
    {
        _writer.Json.WriteStartObject(EventJsonWriter.Properties);
        _writer.Json.WriteString(EventJsonWriter.Url, url);
        _writer.Json.WriteEndObject();
    }
}
