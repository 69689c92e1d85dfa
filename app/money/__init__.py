"""Follow the money: entities, structured facts on annotations, flows, FtM exchange, screening.

The FollowTheMoney library is the vocabulary: entity and fact schemata are FtM schema names and
role checks use FtM's property ranges.
"""
