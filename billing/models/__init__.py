from billing.models.calls import CallLeg, CallRecord
from billing.models.catalogue import PackagePlan, Service
from billing.models.ledger import LedgerEntry
from billing.models.subscriptions import Subscription
from billing.models.tariffs import Tariff, TariffRate

__all__ = ["CallLeg", "CallRecord", "LedgerEntry", "PackagePlan", "Service", "Subscription", "Tariff", "TariffRate"]
