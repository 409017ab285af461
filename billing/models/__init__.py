from billing.models.catalogue import PackagePlan, Service
from billing.models.ledger import LedgerEntry
from billing.models.subscriptions import Subscription
from billing.models.tariffs import Tariff, TariffRate

__all__ = ["LedgerEntry", "PackagePlan", "Service", "Subscription", "Tariff", "TariffRate"]
